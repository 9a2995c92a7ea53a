package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantizedLinearTest {
    /**
     * A prefill's rows go through the packed kernel several at a time, and whole blocks of them
     * through the float block; each output must be the bits the same row gives alone (decode), for
     * row counts with and without a remainder (of tiles and of blocks: 40 and 75 rows hold whole
     * blocks on every backend), per-channel and grouped scales, and output counts whose last task
     * has an odd number of weight rows, fewer than a block's (41); inputs wide enough (768, 1,024)
     * that the activations' transposition into blocks is split into several tasks, one of them short.
     */
    @ParameterizedTest
    @CsvSource({"9, 0, 40, 256", "8, 0, 41, 256", "3, 0, 40, 256", "7, 64, 41, 256", "40, 0, 41, 256", "75, 64, 41, 256",
            "64, 0, 40, 256", "64, 128, 40, 1024", "75, 0, 41, 768"})
    void rowsTakenTogetherGiveExactlyTheOutputsOfEachRowAlone(int rows, int group, int out, int in) {
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
            linear.apply(Activations.of(x, rows, in, quantizer, parallel), together, parallel);
            for (int t = 0; t < rows; t++) {
                float[] alone = new float[out];
                linear.apply(Activations.of(Arrays.copyOfRange(x, t * in, (t + 1) * in), 1, in, quantizer, parallel), alone, parallel);
                assertThat(Arrays.copyOfRange(together, t * out, (t + 1) * out)).as("row %d of %d", t, rows).containsExactly(alone);
            }
            assertThat(together).as("not all zero").matches(y -> Arrays.stream(toDoubles(y)).anyMatch(v -> v != 0));
        }
    }

    /**
     * Against the product of the dequantized operands in double precision: weights s_w·c, activations
     * s_x·(q − z) with a zero point away from 0, so the precomputed code sums carry the result. Packed
     * 4-bit codes per channel and in groups, an odd group (unpacked at load) and 8-bit codes.
     */
    @ParameterizedTest
    @CsvSource({"4, 0, 256", "4, 64, 256", "4, 63, 252", "8, 0, 256", "8, 32, 96"})
    void outputsAreTheDequantizedProduct(int bits, int group, int in) {
        int out = 24;
        int rows = 3;
        int groups = group == 0 ? 1 : in / group;
        boolean packed = bits == 4;
        SplittableRandom random = new SplittableRandom(11);
        Arena arena = Arena.ofAuto();
        int[] c = new int[out * in];
        for (int i = 0; i < c.length; i++) {
            c[i] = random.nextInt(-(1 << (bits - 1)), 1 << (bits - 1));
        }
        MemorySegment codes = arena.allocate(packed ? out * in / 2 : out * in);
        for (int i = 0; i < (packed ? c.length / 2 : c.length); i++) {
            codes.set(ValueLayout.JAVA_BYTE, i, packed ? (byte) ((c[2 * i] & 0xf) | (c[2 * i + 1] << 4)) : (byte) c[i]);
        }
        float[] s = new float[out * groups];
        MemorySegment scales = arena.allocate(4L * s.length, 4);
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.01 + random.nextDouble() * 0.1);
            scales.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, s[i]);
        }
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() + 1.5);
        }
        Activations a;
        float[] y = new float[rows * out];
        try (Parallel parallel = new Parallel(2)) {
            a = Activations.of(x, rows, in, new DynamicQuantizer(4, 1.0, true), parallel);
            new QuantizedLinear(codes, scales, out, in, group, packed, Kernels.best()).apply(a, y, parallel);
        }
        int groupSize = in / groups;
        for (int t = 0; t < rows; t++) {
            assertThat(a.zeros[t]).as("zero point of row %d", t).isNotZero();
            for (int j = 0; j < out; j++) {
                double expected = 0;
                for (int i = 0; i < in; i++) {
                    expected += (double) a.scales[t] * (a.codes[t * in + i] - a.zeros[t]) * s[j * groups + i / groupSize]
                            * c[j * in + i];
                }
                assertThat((double) y[t * out + j]).as("row %d, output %d", t, j)
                        .isCloseTo(expected, offset(1e-5 * Math.max(1, Math.abs(expected))));
            }
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
