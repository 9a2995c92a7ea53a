package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelsTest {
    /** The bytes outside the heap, as the runtime reads weights (from the mapped artifact). */
    private static MemorySegment offHeap(byte[] bytes) {
        return java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, bytes.length)).copyFrom(MemorySegment.ofArray(bytes));
    }

    @Test
    void theVectorKernelIsInUseUnderTestAndAgreesWithTheScalarOneExactly() {
        Kernels best = Kernels.best();
        assertThat(best.describe()).startsWith("Vector API");
        Kernels scalar = new ScalarKernels();
        SplittableRandom random = new SplittableRandom(1);
        for (int n : new int[] {0, 1, 7, 8, 15, 16, 33, 64, 511, 4096}) {
            byte[] a = new byte[n + 5];
            byte[] b = new byte[n + 9];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) random.nextInt(-128, 128);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) random.nextInt(-128, 128);
            }
            long expected = 0;
            for (int i = 0; i < n; i++) {
                expected += a[3 + i] * b[5 + i];
            }
            assertThat(scalar.dot(a, 3, offHeap(b), 5, n)).as("scalar n=%d", n).isEqualTo(expected);
            assertThat(best.dot(a, 3, offHeap(b), 5, n)).as("vector n=%d", n).isEqualTo(expected);
        }
    }

    @Test
    void thePackedNibbleKernelsAgreeWithTheScalarOnesExactlyAtEveryActivationWidth() {
        Kernels best = Kernels.best();
        Kernels scalar = new ScalarKernels();
        SplittableRandom random = new SplittableRandom(2);
        // 8-bit activation codes at their extremes exercise the short accumulators' flush.
        for (int pairs : new int[] {0, 1, 15, 16, 17, 256, 600, 4096}) {
            byte[] w = new byte[pairs + 3];
            short[] even = new short[pairs + 5];
            short[] odd = new short[pairs + 5];
            random.nextBytes(w);
            for (int i = 0; i < even.length; i++) {
                even[i] = (short) (random.nextBoolean() ? -128 : random.nextInt(-128, 128));
                odd[i] = (short) (random.nextBoolean() ? -128 : random.nextInt(-128, 128));
            }
            long expected = 0;
            for (int p = 0; p < pairs; p++) {
                byte b = w[3 + p];
                expected += even[5 + p] * ((b << 28) >> 28) + odd[5 + p] * (b >> 4);
            }
            int sum = codeSum(even, odd, 5, pairs);
            assertThat(scalar.dotPacked(even, odd, 5, sum, offHeap(w), 3, pairs)).as("scalar pairs=%d", pairs).isEqualTo(expected);
            assertThat(best.dotPacked(even, odd, 5, sum, offHeap(w), 3, pairs)).as("vector pairs=%d", pairs).isEqualTo(expected);
            // A tile: two activation rows pairs+1 apart in longer arrays against two weight rows (a
            // second row of other bytes, then the same row twice): each entry exactly its own dotPacked.
            int stride = pairs + 1;
            short[] evens = new short[5 + Kernels.PACKED_ROWS * stride];
            short[] odds = new short[evens.length];
            for (int i = 0; i < evens.length; i++) {
                evens[i] = (short) (random.nextBoolean() ? -128 : random.nextInt(-128, 128));
                odds[i] = (short) random.nextInt(-128, 128);
            }
            byte[] weights = java.util.Arrays.copyOf(w, w.length + pairs + 2);
            for (int i = w.length; i < weights.length; i++) {
                weights[i] = (byte) random.nextInt();
            }
            int[] sums = new int[Kernels.PACKED_ROWS];
            for (int r = 0; r < Kernels.PACKED_ROWS; r++) {
                sums[r] = codeSum(evens, odds, 5 + r * stride, pairs);
            }
            for (Kernels kernels : new Kernels[] {scalar, best}) {
                for (long wStride : new long[] {pairs + 2, 0}) {
                    int[] tile = new int[Kernels.WEIGHT_ROWS * Kernels.PACKED_ROWS];
                    kernels.dotPackedTile(evens, odds, 5, stride, sums, offHeap(weights), 3, wStride, pairs, tile);
                    for (int k = 0; k < Kernels.WEIGHT_ROWS; k++) {
                        for (int r = 0; r < Kernels.PACKED_ROWS; r++) {
                            assertThat(tile[k * Kernels.PACKED_ROWS + r])
                                    .as("%s weight row %d, row %d, pairs=%d, stride %d", kernels.describe(), k, r, pairs, wStride)
                                    .isEqualTo(scalar.dotPacked(evens, odds, 5 + r * stride, sums[r], offHeap(weights),
                                            3 + k * wStride, pairs));
                        }
                    }
                }
            }
        }
    }

    private static int codeSum(short[] even, short[] odd, int from, int pairs) {
        int sum = 0;
        for (int p = 0; p < pairs; p++) {
            sum += even[from + p] + odd[from + p];
        }
        return sum;
    }

    /**
     * The largest product a packed pair can give, −8 · −128 twice, in every lane for the whole row:
     * the short accumulators must be widened before they pass 32767.
     */
    @Test
    void thePackedKernelsHoldTheLargestProductsInEveryLane() {
        int pairs = 4096;
        byte[] w = new byte[pairs];
        java.util.Arrays.fill(w, (byte) 0x88);
        short[] codes = new short[Kernels.PACKED_ROWS * pairs];
        java.util.Arrays.fill(codes, (short) -128);
        for (Kernels kernels : new Kernels[] {new ScalarKernels(), Kernels.best()}) {
            int sum = -128 * 2 * pairs;
            assertThat(kernels.dotPacked(codes, codes, 0, sum, offHeap(w), 0, pairs)).as(kernels.describe()).isEqualTo(pairs * 2 * 1024);
            int[] tile = new int[Kernels.WEIGHT_ROWS * Kernels.PACKED_ROWS];
            kernels.dotPackedTile(codes, codes, 0, pairs, new int[] {sum, sum}, offHeap(w), 0, 0, pairs, tile);
            assertThat(tile).as(kernels.describe() + ", tile").containsOnly(pairs * 2 * 1024);
        }
    }

    /**
     * The float block against the integer kernel: each (weight row, activation row) entry over a
     * column range inside the rows is exactly dotPacked's, on both backends, with the weights
     * unpacked by unpackNibbles (a row length past the last whole vector) and the activations in
     * the second of two blocks.
     */
    @Test
    void theFloatBlockGivesTheIntegerDotProducts() {
        Kernels scalar = new ScalarKernels();
        SplittableRandom random = new SplittableRandom(5);
        int pairs = 101;
        int from = 3;
        int to = 97;
        byte[] w = new byte[Kernels.BLOCK_ROWS * pairs];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) random.nextInt();
        }
        for (Kernels kernels : new Kernels[] {scalar, Kernels.best()}) {
            int tokens = kernels.blockTokens();
            short[] even = new short[tokens * pairs];
            short[] odd = new short[even.length];
            float[] xEven = new float[2 * pairs * tokens];
            float[] xOdd = new float[xEven.length];
            for (int t = 0; t < tokens; t++) {
                for (int p = 0; p < pairs; p++) {
                    even[t * pairs + p] = (short) random.nextInt(-128, 128);
                    odd[t * pairs + p] = (short) random.nextInt(-128, 128);
                    xEven[pairs * tokens + p * tokens + t] = even[t * pairs + p];
                    xOdd[pairs * tokens + p * tokens + t] = odd[t * pairs + p];
                }
            }
            float[] wEven = new float[w.length];
            float[] wOdd = new float[w.length];
            for (int k = 0; k < Kernels.BLOCK_ROWS; k++) {
                kernels.unpackNibbles(offHeap(w), (long) k * pairs, pairs, wEven, wOdd, k * pairs);
            }
            float[] out = new float[Kernels.BLOCK_ROWS * tokens];
            kernels.blockProducts(xEven, xOdd, pairs * tokens, wEven, wOdd, pairs, from, to, out);
            for (int k = 0; k < Kernels.BLOCK_ROWS; k++) {
                for (int t = 0; t < tokens; t++) {
                    assertThat(out[k * tokens + t]).as("%s weight row %d, row %d", kernels.describe(), k, t)
                            .isEqualTo((float) scalar.dotPacked(even, odd, t * pairs + from, 0, offHeap(w),
                                    (long) k * pairs + from, to - from));
                }
            }
        }
    }

    /**
     * Products near the largest, −7 · −127 (odd, so every partial sum is an odd or even integer and any
     * rounding past 2^24 would show), over the most columns a float block takes: still exact. With
     * twice the columns the sum would pass 2^24 and round.
     */
    @Test
    void theFloatBlockHoldsTheLargestProductsOverItsColumnLimit() {
        int pairs = Kernels.EXACT_FLOAT_COLUMNS / 2;
        for (Kernels kernels : new Kernels[] {new ScalarKernels(), Kernels.best()}) {
            int tokens = kernels.blockTokens();
            float[] x = new float[pairs * tokens];
            java.util.Arrays.fill(x, -127f);
            float[] weights = new float[Kernels.BLOCK_ROWS * pairs];
            java.util.Arrays.fill(weights, -7f);
            float[] out = new float[Kernels.BLOCK_ROWS * tokens];
            kernels.blockProducts(x, x, 0, weights, weights, pairs, 0, pairs, out);
            assertThat(out).as(kernels.describe()).containsOnly((float) (pairs * 2 * 889));
        }
    }

    @Test
    void theHalfPrecisionDotWidensEveryFiniteHalfExactly() {
        Kernels best = Kernels.best();
        SplittableRandom random = new SplittableRandom(3);
        // Every finite half once (subnormals, zeros of both signs, the largest values), against x = 1 one at a time.
        short[] all = new short[1 << 16];
        int count = 0;
        for (int bits = 0; bits < 1 << 16; bits++) {
            if ((bits & 0x7c00) != 0x7c00) {
                all[count++] = (short) bits;
            }
        }
        for (int i = 0; i < count; i++) {
            short[] h = new short[32];
            h[0] = all[i];
            float[] x = new float[32];
            x[0] = 1f;
            assertThat(best.dotHalf(x, 0, halves(h), 0, 32)).as("half bits %x", all[i]).isEqualTo(Float.float16ToFloat(all[i]));
        }
        for (int n : new int[] {0, 5, 16, 31, 64, 2048}) {
            short[] h = new short[n + 2];
            float[] x = new float[n + 1];
            double expected = 0;
            for (int i = 0; i < n; i++) {
                h[2 + i] = Float.floatToFloat16((float) random.nextGaussian());
                x[1 + i] = (float) random.nextGaussian();
                expected += (double) x[1 + i] * Float.float16ToFloat(h[2 + i]);
            }
            assertThat((double) best.dotHalf(x, 1, halves(h), 2, n)).as("n=%d", n).isCloseTo(expected,
                    org.assertj.core.api.Assertions.within(1e-3));
            assertThat((double) new ScalarKernels().dotHalf(x, 1, halves(h), 2, n)).isCloseTo(expected,
                    org.assertj.core.api.Assertions.within(1e-3));
        }
    }

    @Test
    void int8RowDotsAgreeWithTheirFloat64SumInBothKernels() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n : new int[] {0, 5, 16, 31, 64, 2048}) {
            byte[] w = new byte[n + 3];
            float[] x = new float[n + 1];
            double expected = 0;
            for (int i = 0; i < n; i++) {
                w[3 + i] = (byte) random.nextInt(-128, 128);
                x[1 + i] = (float) random.nextGaussian();
                expected += (double) x[1 + i] * w[3 + i];
            }
            double tolerance = 1e-5 * Math.max(1, Math.sqrt(n) * 128);
            assertThat((double) Kernels.best().dotBytes(x, 1, MemorySegment.ofArray(w), 3, n)).as("vector n=%d", n).isCloseTo(expected,
                    org.assertj.core.api.Assertions.within(tolerance));
            assertThat((double) new ScalarKernels().dotBytes(x, 1, MemorySegment.ofArray(w), 3, n)).as("scalar n=%d", n).isCloseTo(expected,
                    org.assertj.core.api.Assertions.within(tolerance));
        }
    }

    @Test
    void nibbleGroupDotsMatchAFloat64SumInBothKernels() {
        java.util.Random random = new java.util.Random(11);
        // 16 pairs a group fill whole vectors on AVX-512 and AVX2; 3 pairs take the scalar loop.
        for (int[] shape : new int[][] {{4, 16}, {64, 16}, {5, 3}, {1, 32}}) {
            int groups = shape[0];
            int pairs = shape[1];
            int half = groups * pairs;
            byte[] w = new byte[half + 5];
            random.nextBytes(w);
            float[] x = new float[2 * half + 7];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] scales = new float[groups + 2];
            for (int g = 0; g < scales.length; g++) {
                scales[g] = 0.01f + random.nextFloat();
            }
            int even = 3;
            int odd = 3 + half;
            double expected = 0;
            for (int g = 0; g < groups; g++) {
                double acc = 0;
                for (int p = g * pairs; p < (g + 1) * pairs; p++) {
                    acc += (double) x[even + p] * Kernels.lowNibble(w[5 + p]) + (double) x[odd + p] * Kernels.highNibble(w[5 + p]);
                }
                expected += scales[2 + g] * acc;
            }
            double tolerance = 1e-5 * Math.sqrt(2 * half) * 8;
            for (Kernels k : new Kernels[] {Kernels.best(), new ScalarKernels()}) {
                assertThat((double) k.dotNibbleGroups(x, even, odd, MemorySegment.ofArray(w), 5, scales, 2, groups, pairs))
                        .as("%s groups=%d pairs=%d", k.describe(), groups, pairs)
                        .isCloseTo(expected, org.assertj.core.api.Assertions.within(tolerance));
            }
        }
    }

    @Test
    void vectorSoftmaxExponentialsMatchMathExp() {
        Kernels best = Kernels.best();
        java.util.Random random = new java.util.Random(3);
        for (int n : new int[] {1, 7, 8, 33, 2048}) {
            float[] s = new float[n + 2];
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) (random.nextGaussian() * 6);
            }
            float[] copy = s.clone();
            float shift = 5f;
            double expected = 0;
            for (int i = 2; i < n + 2; i++) {
                expected += Math.exp(copy[i] - shift);
            }
            float sum = best.expSum(s, 2, n, shift);
            assertThat((double) sum).as("sum n=%d", n).isCloseTo(expected, org.assertj.core.api.Assertions.withinPercentage(1e-4));
            assertThat(s[0]).isEqualTo(copy[0]);
            for (int i = 2; i < n + 2; i++) {
                assertThat((double) s[i]).as("n=%d i=%d", n, i)
                        .isCloseTo(Math.exp(copy[i] - shift), org.assertj.core.api.Assertions.withinPercentage(1e-4));
            }
        }
    }

    /** Halves as the artifact stores them (little-endian), in a segment like the mapped file's. */
    static MemorySegment halves(short[] h) {
        MemorySegment segment = MemorySegment.ofArray(new byte[2 * h.length]);
        MemorySegment.copy(h, 0, segment, SafetensorsFile.F16, 0, h.length);
        return segment;
    }
}
