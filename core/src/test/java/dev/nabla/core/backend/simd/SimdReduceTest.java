package dev.nabla.core.backend.simd;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The SIMD backend's sum over a middle axis ({@code [outer, red, inner] → [outer, inner]}: a bias gradient is
 * {@code [1, 512, 128]}) adds each column in increasing j, in float64 and in float32, so it equals that sum
 * computed here bit for bit — for widths that fill the four-vector register blocks, leave a vector tail, a scalar
 * tail, or are narrower than one vector.
 */
class SimdReduceTest {
    @Test
    void middleAxisSumsAddEachColumnInOrder() {
        Random rnd = new Random(11);
        int[][] shapes = {{1, 512, 128}, {3, 17, 131}, {2, 5, 64}, {1, 9, 100}, {2, 33, 7}, {1, 4, 1}, {2, 300, 40}};
        for (int[] sh : shapes) {
            int outer = sh[0];
            int red = sh[1];
            int inner = sh[2];
            double[] d = new double[outer * red * inner];
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = rnd.nextGaussian() * Math.exp(3 * rnd.nextGaussian()); // magnitudes spread: order shows
                f[i] = (float) d[i];
            }
            Tensor xd = Tensor.placeholder("xd", Shape.of(outer, red, inner), DType.F64);
            Tensor xf = Tensor.placeholder("xf", Shape.of(outer, red, inner), DType.F32);
            Tensor sd = xd.sum(1);
            Tensor sf = xf.sum(1);
            for (int threads : new int[] {1, 2}) {
                Plan p = Plan.compile(List.of(sd, sf), Backend.simd(threads));
                Plan.Results r = p.run(Map.of(xd, NdArray.of(d, outer, red, inner), xf, NdArray.of(f, outer, red, inner)));
                double[] gd = r.get(sd).toDoubleArray();
                float[] gf = r.get(sf).toFloatArray();
                for (int o = 0; o < outer; o++) {
                    for (int k = 0; k < inner; k++) {
                        double wd = d[(o * red) * inner + k];
                        float wf = f[(o * red) * inner + k];
                        for (int j = 1; j < red; j++) {
                            wd += d[(o * red + j) * inner + k];
                            wf += f[(o * red + j) * inner + k];
                        }
                        String at = Arrays.toString(sh) + " o=" + o + " k=" + k + " threads=" + threads;
                        assertEquals(wd, gd[o * inner + k], 0.0, at);
                        assertEquals(wf, gf[o * inner + k], 0.0f, at + " (float)");
                    }
                }
            }
        }
    }
}
