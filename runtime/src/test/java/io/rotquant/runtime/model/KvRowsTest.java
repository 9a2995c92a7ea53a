package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cache's grouped scores and weighted sums against the same arithmetic done row by row on the
 * dequantized rows s·(c − z), for every storage (packed 4-bit keys in blocks, packed values, 8-bit
 * codes, floats), both kernel sets, group sizes that do and do not fill a query tile, and cache
 * lengths that end inside a key block.
 */
class KvRowsTest {
    private static final int HEADS = 3;

    @ParameterizedTest(name = "bits={0} width={1} queries={2} positions={3} vector={4}")
    @CsvSource({
        "4, 64, 4, 37, true", "4, 64, 1, 1, true", "4, 64, 5, 9, true", "4, 8, 2, 17, true", "4, 16, 4, 300, true",
        "4, 64, 3, 37, false", "4, 8, 2, 17, false",
        "8, 64, 4, 37, true", "8, 8, 2, 5, false",
        "16, 64, 4, 37, true", "16, 8, 3, 11, false"})
    void groupedScoresAndWeightedSumsMatchTheDequantizedRows(int bits, int width, int queries, int positions, boolean vector) {
        Kernels kernels = vector ? Kernels.best() : new ScalarKernels();
        DynamicQuantizer keyQuantizer = bits == 16 ? null : new DynamicQuantizer(bits, 0.95, true);
        DynamicQuantizer valueQuantizer = bits == 16 ? null : new DynamicQuantizer(bits, 1.0, false);
        // Start small so the cache grows (and keeps what it held) on the way.
        KvRows keys = new KvRows(width, HEADS, keyQuantizer, 2, kernels, true);
        KvRows values = new KvRows(width, HEADS, valueQuantizer, 2, kernels, false);
        SplittableRandom random = new SplittableRandom(bits * 1000L + width + queries + positions);
        double[][][] keyRows = new double[positions][HEADS][];
        double[][][] valueRows = new double[positions][HEADS][];
        for (int j = 0; j < positions; j++) {
            keys.ensure(j + 1);
            values.ensure(j + 1);
            for (int h = 0; h < HEADS; h++) {
                float[] k = gaussian(random, width);
                float[] v = gaussian(random, width);
                keys.put(j, h, k, 0);
                values.put(j, h, v, 0);
                keyRows[j][h] = dequantized(keyQuantizer, k);
                valueRows[j][h] = dequantized(valueQuantizer, v);
            }
        }
        int head = HEADS - 1;
        float[] q = gaussian(random, 7 + queries * width);
        int stride = keys.scoreStride(positions) + 3;
        float[] scores = new float[keys.scoreRows(queries) * stride];
        keys.scores(positions, head, q, 7, queries, scores, stride);
        for (int g = 0; g < queries; g++) {
            for (int j = 0; j < positions; j++) {
                double expected = 0;
                for (int i = 0; i < width; i++) {
                    expected += q[7 + g * width + i] * keyRows[j][head][i];
                }
                assertThat((double) scores[g * stride + j]).as("score g=%d j=%d", g, j)
                        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-4 * (1 + Math.abs(expected))));
            }
        }
        float[] out = gaussian(random, 5 + queries * width);
        float[] before = out.clone();
        values.weightedSum(positions, head, scores, stride, queries, out, 5);
        for (int g = 0; g < queries; g++) {
            for (int i = 0; i < width; i++) {
                double expected = before[5 + g * width + i];
                for (int j = 0; j < positions; j++) {
                    expected += scores[g * stride + j] * valueRows[j][head][i];
                }
                assertThat((double) out[5 + g * width + i]).as("sum g=%d i=%d", g, i)
                        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-3 * (1 + Math.abs(expected))));
            }
        }
        assertThat(out[4]).as("nothing written before the output rows").isEqualTo(before[4]);
    }

    /**
     * A copy made inside a key block holds the rows before it and shares no array: each cache then
     * stores its own row at the next position (the copy growing past its room) and scores as a cache
     * that was only ever given its own rows.
     */
    @ParameterizedTest(name = "bits={0}")
    @CsvSource({"4", "8", "16"})
    void aCopyKeepsTheRowsBeforeItAndGoesOnApartFromItsSource(int bits) {
        Kernels kernels = Kernels.best();
        DynamicQuantizer quantizer = bits == 16 ? null : new DynamicQuantizer(bits, 1.0, true);
        int width = 16;
        int positions = 13;
        SplittableRandom random = new SplittableRandom(bits);
        float[][] rows = new float[positions + 40][];
        for (int j = 0; j < rows.length; j++) {
            rows[j] = gaussian(random, width * HEADS);
        }
        KvRows source = new KvRows(width, HEADS, quantizer, 4, kernels, true);
        fill(source, rows, 0, positions);
        KvRows copy = source.copy(positions);
        fill(source, rows, positions, positions + 1);
        // The copy's next rows are others than the source's, and more than its room.
        float[][] others = new float[rows.length][];
        System.arraycopy(rows, 0, others, 0, positions);
        for (int j = positions; j < others.length; j++) {
            others[j] = gaussian(random, width * HEADS);
        }
        fill(copy, others, positions, others.length);

        KvRows sourceAlone = new KvRows(width, HEADS, quantizer, 4, kernels, true);
        fill(sourceAlone, rows, 0, positions + 1);
        KvRows copyAlone = new KvRows(width, HEADS, quantizer, 4, kernels, true);
        fill(copyAlone, others, 0, others.length);
        float[] q = gaussian(random, width);
        assertThat(scores(source, positions + 1, q)).as("the source").containsExactly(scores(sourceAlone, positions + 1, q));
        assertThat(scores(copy, others.length, q)).as("the copy").containsExactly(scores(copyAlone, others.length, q));
    }

    /**
     * Rows exported from a cache in blocks of 2 positions and imported into one in the scalar
     * kernels' blocks of 8 score exactly as a cache of blocks of 8 filled directly: a saved session
     * loads with another kernel set (8-bit and float caches have no blocks, the same round trip).
     */
    @ParameterizedTest(name = "bits={0}")
    @CsvSource({"4", "8", "16"})
    void exportedRowsImportIntoAnotherBlockLayout(int bits) {
        DynamicQuantizer quantizer = bits == 16 ? null : new DynamicQuantizer(bits, 1.0, true);
        Kernels scalar = new ScalarKernels();
        // Blocks of 2 positions for the source (only its layout matters: it is written, not scored).
        Kernels pairs = (Kernels) java.lang.reflect.Proxy.newProxyInstance(Kernels.class.getClassLoader(),
                new Class<?>[] {Kernels.class}, (proxy, method, args) -> method.getName().equals("keyBlock") ? 2
                        : method.invoke(scalar, args));
        int width = 16;
        int positions = 13;
        SplittableRandom random = new SplittableRandom(100 + bits);
        float[][] rows = new float[positions][];
        for (int j = 0; j < positions; j++) {
            rows[j] = gaussian(random, width * HEADS);
        }
        KvRows source = new KvRows(width, HEADS, quantizer, 4, pairs, true);
        fill(source, rows, 0, positions);
        int count = positions * HEADS;
        byte[] codes = bits == 16 ? null : new byte[count * source.rowBytes()];
        float[] scales = bits == 16 ? null : new float[count];
        int[] zeros = bits == 16 ? null : new int[count];
        float[] values = bits == 16 ? new float[count * width] : null;
        source.exportRows(positions, codes, scales, zeros, values);

        KvRows imported = new KvRows(width, HEADS, quantizer, 4, scalar, true);
        imported.importRows(positions, codes, scales, zeros, values);
        KvRows direct = new KvRows(width, HEADS, quantizer, 4, scalar, true);
        fill(direct, rows, 0, positions);
        float[] q = gaussian(random, width);
        assertThat(scores(imported, positions, q)).containsExactly(scores(direct, positions, q));
    }

    private static void fill(KvRows cache, float[][] rows, int from, int to) {
        for (int j = from; j < to; j++) {
            cache.ensure(j + 1);
            for (int h = 0; h < HEADS; h++) {
                cache.put(j, h, rows[j], h * (rows[j].length / HEADS));
            }
        }
    }

    private static float[] scores(KvRows cache, int positions, float[] q) {
        int stride = cache.scoreStride(positions);
        float[] scores = new float[cache.scoreRows(1) * stride];
        cache.scores(positions, 1, q, 0, 1, scores, stride);
        return java.util.Arrays.copyOf(scores, positions);
    }

    private static double[] dequantized(DynamicQuantizer quantizer, float[] row) {
        double[] out = new double[row.length];
        if (quantizer == null) {
            for (int i = 0; i < row.length; i++) {
                out[i] = row[i];
            }
            return out;
        }
        byte[] codes = new byte[row.length];
        int[] zero = new int[1];
        float scale = quantizer.quantize(row, 0, row.length, codes, 0, zero, 0);
        for (int i = 0; i < row.length; i++) {
            out[i] = (double) scale * (codes[i] - zero[0]);
        }
        return out;
    }

    private static float[] gaussian(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
