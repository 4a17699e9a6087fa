package dev.nabla.core.plan;

import dev.nabla.core.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ViewTest {
    /** Element (i, j, k) of a [2, 3, 4] buffer permuted to [4, 2, 3], sliced and broadcast, by hand. */
    @Test
    void permuteSliceAndExpandCompose() {
        View x = View.contiguous(Shape.of(2, 3, 4));
        View p = x.permute(new int[] {2, 0, 1});                                    // [4, 2, 3]
        assertEquals(Shape.of(4, 2, 3), p.shape());
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(i * 12 + j * 4 + k, p.offsetOf((k * 2 + i) * 3 + j));
                }
            }
        }
        View s = p.slice(new int[] {1, 0, 1}, new int[] {3, 2, 3});                // [2, 2, 2]
        View e = s.slice(new int[] {0, 1, 0}, new int[] {2, 2, 2}).expand(Shape.of(2, 5, 2)); // [2, 1→5, 2]
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 5; b++) {
                for (int c = 0; c < 2; c++) {
                    assertEquals(1 * 12 + (c + 1) * 4 + (a + 1), e.offsetOf((a * 5 + b) * 2 + c));
                }
            }
        }
        assertTrue(x.isDense());
        assertTrue(!p.isContiguous() && !e.isContiguous());
        assertTrue(x.slice(new int[] {1, 0, 0}, new int[] {2, 3, 4}).isContiguous(), "a slice of leading rows");
    }

    /**
     * Reshapes of random permuted, sliced and broadcast views: where {@link View#reshape} returns a view it reads the
     * same elements in the same order (checked element by element); a contiguous view always reshapes; a reshape
     * that merges a transposed pair of axes cannot be a view.
     */
    @Test
    void reshapeIsAViewExactlyWhereTheElementsStepEvenly() {
        Random r = new Random(3);
        int views = 0;
        for (int trial = 0; trial < 400; trial++) {
            int[] dims = new int[2 + r.nextInt(3)];
            for (int a = 0; a < dims.length; a++) {
                dims[a] = 1 + r.nextInt(4);
            }
            View v = View.contiguous(Shape.of(dims), r.nextInt(3));
            List<Integer> perm = new ArrayList<>();
            for (int a = 0; a < dims.length; a++) {
                perm.add(a);
            }
            Collections.shuffle(perm, r);
            v = v.permute(perm.stream().mapToInt(Integer::intValue).toArray());
            if (r.nextBoolean()) {
                int[] start = new int[dims.length];
                int[] end = v.shape().dims();
                int a = r.nextInt(dims.length);
                start[a] = end[a] > 1 ? 1 : 0;
                v = v.slice(start, end);
            }
            if (r.nextBoolean()) {
                int a = r.nextInt(dims.length);
                int[] d = v.shape().dims();
                if (d[a] == 1) {
                    d[a] = 3;
                    v = v.expand(Shape.of(d));
                }
            }
            // a random regrouping of the same elements: factor the size into random extents
            int n = v.size();
            List<Integer> to = new ArrayList<>();
            while (n > 1) {
                int f = 2 + r.nextInt(Math.min(n, 6) - 1);
                while (n % f != 0) {
                    f--;
                }
                if (f == 1) {
                    f = n;
                }
                to.add(f);
                n /= f;
                if (r.nextInt(4) == 0) {
                    to.add(1);
                }
            }
            Shape ts = Shape.of(to.stream().mapToInt(Integer::intValue).toArray());
            View w = v.reshape(ts);
            if (v.isContiguous()) {
                assertNotNull(w, v + " to " + ts);
            }
            if (w != null) {
                views++;
                assertEquals(ts, w.shape());
                for (int i = 0; i < v.size(); i++) {
                    assertEquals(v.offsetOf(i), w.offsetOf(i), v + " reshaped to " + w + " at " + i);
                }
            }
        }
        assertTrue(views > 100, "views found: " + views);
        View t = View.contiguous(Shape.of(3, 4)).permute(new int[] {1, 0});
        assertNull(t.reshape(Shape.of(12)), "a transpose flattened is a copy");
        View split = t.reshape(Shape.of(2, 2, 3));
        assertNotNull(split, "splitting the strided axis is a view");
        assertArrayEquals(new int[] {2, 1, 4}, split.strides(), split.toString());
        assertThrows(IllegalArgumentException.class, () -> t.reshape(Shape.of(5)));
    }
}
