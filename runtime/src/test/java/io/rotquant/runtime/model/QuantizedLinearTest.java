package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantizedLinearTest {
    /**
     * A prefill's rows go through the packed kernel several at a time; each output must be the bits
     * the same row gives alone (decode), for row counts with and without a remainder, per-channel and
     * grouped scales.
     */
    @ParameterizedTest
    @CsvSource({"9, 0", "8, 0", "3, 0", "7, 64"})
    void rowsTakenTogetherGiveExactlyTheOutputsOfEachRowAlone(int rows, int group) {
        int in = 256;
        int out = 40;
        int groups = group == 0 ? 1 : in / group;
        SplittableRandom random = new SplittableRandom(7);
        Arena arena = Arena.ofAuto();
        MemorySegment codes = arena.allocate(out * in / 2);
        for (long i = 0; i < codes.byteSize(); i++) {
            codes.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
        }
        MemorySegment scales = arena.allocate(4L * out * groups, 4);
        for (long i = 0; i < out * groups; i++) {
            scales.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (0.01 + random.nextDouble() * 0.1));
        }
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        QuantizedLinear linear = new QuantizedLinear(codes, scales, out, in, group, true, Kernels.best());
        DynamicQuantizer quantizer = new DynamicQuantizer(4, 1.0, true);
        try (Parallel parallel = new Parallel(2)) {
            float[] together = new float[rows * out];
            linear.apply(Activations.of(x, rows, in, quantizer), together, parallel);
            for (int t = 0; t < rows; t++) {
                float[] alone = new float[out];
                linear.apply(Activations.of(Arrays.copyOfRange(x, t * in, (t + 1) * in), 1, in, quantizer), alone, parallel);
                assertThat(Arrays.copyOfRange(together, t * out, (t + 1) * out)).as("row %d of %d", t, rows).containsExactly(alone);
            }
            assertThat(together).as("not all zero").matches(y -> Arrays.stream(toDoubles(y)).anyMatch(v -> v != 0));
        }
    }

    private static double[] toDoubles(float[] y) {
        double[] d = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            d[i] = y[i];
        }
        return d;
    }
}
