package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The protocol device backends use to keep parameters on an accelerator ({@link NdArray#residesOn}), exercised
 * with a stand-in device copy: host reads and writes, and CPU plans, see the device's values first.
 */
class DeviceResidencyTest {
    /** A "device" holding newer values, counting how often they are brought back. */
    static final class FakeDevice implements NdArray.DeviceCopy {
        final NdArray host;
        final double[] values;
        int pulls;

        FakeDevice(NdArray host, double... values) {
            this.host = host;
            this.values = values;
        }

        @Override
        public void toHost() {
            pulls++;
            System.arraycopy(values, 0, host.f64(), 0, values.length);
        }
    }

    @Test
    void everyHostAccessBringsTheDeviceValuesBackOnce() {
        NdArray a = NdArray.of(new double[] {1, 2, 3});
        FakeDevice d = new FakeDevice(a, 10, 20, 30);
        a.residesOn(d);
        assertSame(d, a.residence());
        assertEquals(20, a.getFlat(1));
        assertNull(a.residence(), "the mark is cleared once the values are back");
        assertArrayEquals(new double[] {10, 20, 30}, a.toDoubleArray());
        assertEquals(1, d.pulls);
        // views share the mark
        a.residesOn(d);
        d.values[2] = 99;
        NdArray view = a.reshape(3, 1);
        assertEquals(99, view.get(2, 0));
        assertEquals(2, d.pulls);
        // each accessor syncs: toString, copy, equals, item-like reads
        for (Runnable access : List.<Runnable>of(a::toString, a::copy, a::hashCode, () -> a.f64(),
                () -> a.setFlat(0, 5), () -> a.copyFrom(NdArray.of(new double[] {7, 8, 9})))) {
            a.residesOn(d);
            access.run();
            assertNull(a.residence());
        }
        assertEquals(8, d.pulls);
    }

    @Test
    void aCpuPlanReadsTheDeviceValuesOfItsParameters() {
        Tensor w = Tensor.parameter("w", NdArray.of(new double[] {1, 1}));
        Tensor f = w.square().sum();
        Plan p = Plan.compile(List.of(f), Backend.simd(1));
        assertEquals(2, p.execute().get(f).item());
        FakeDevice d = new FakeDevice(w.value(), 3, 4);
        w.value().residesOn(d);
        assertEquals(25, p.execute().get(f).item(), "the plan pulled w = (3, 4) before running");
        assertEquals(1, d.pulls);
        assertEquals(25, Plan.compile(List.of(f), Backend.reference()).execute().get(f).item());
    }
}
