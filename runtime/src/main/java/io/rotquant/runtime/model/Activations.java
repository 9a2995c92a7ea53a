package io.rotquant.runtime.model;

/**
 * A batch of T activation rows of width n, as a linear layer consumes them: quantized per row
 * (signed codes, scale, shifted zero point) when the artifact quantizes activations, else float.
 */
final class Activations {
    /** Column pairs per task of the transposition in {@link #tokenBlocks}. */
    private static final int TRANSPOSE_PAIRS = 256;

    final int rows;
    final int width;
    final float[] values;
    final byte[] codes;
    final float[] scales;
    final int[] zeros;
    /**
     * The codes of the even and of the odd columns, row after row (width/2 each), for packed 4-bit
     * weights; widened to 16 bits once here, so the kernel does not widen them again for every row.
     */
    final short[] even;
    final short[] odd;
    /**
     * Each row's running code sums, width/2 + 1 entries a row: entry p of row t is Σ_{j<p} of its
     * even[j] + odd[j], so any range inside a row has its code sum in two reads ({@link #codeSum}).
     */
    private final int[] codePrefix;
    private TokenBlocks blocks;

    private Activations(int rows, int width, float[] values, byte[] codes, float[] scales, int[] zeros, Parallel parallel) {
        this.rows = rows;
        this.width = width;
        this.values = values;
        this.codes = codes;
        this.scales = scales;
        this.zeros = zeros;
        if (codes == null || width % 2 != 0) {
            this.even = null;
            this.odd = null;
            this.codePrefix = null;
            return;
        }
        int pairs = width / 2;
        this.even = new short[rows * pairs];
        this.odd = new short[rows * pairs];
        this.codePrefix = new int[rows * (pairs + 1)];
        parallel.forEach(rows, t -> {
            int prefix = t * (pairs + 1);
            for (int p = 0, i = t * pairs; p < pairs; p++, i++) {
                even[i] = codes[2 * i];
                odd[i] = codes[2 * i + 1];
                codePrefix[prefix + p + 1] = codePrefix[prefix + p] + even[i] + odd[i];
            }
        });
    }

    /**
     * The even and odd columns' codes as floats for {@link Kernels#blockProducts}, in blocks of
     * {@code tokens} rows: block b holds column pair p of row b·tokens + t at [b·pairs·tokens + p·tokens + t].
     * Built on the first call (the rows past the last whole block are left out) and kept, so the
     * linears that read the same activations (q, k and v; gate and up) transpose them once.
     */
    TokenBlocks tokenBlocks(int tokens, Parallel parallel) {
        if (blocks == null || blocks.tokens() != tokens) {
            int pairs = width / 2;
            int count = rows / tokens;
            float[] e = new float[count * pairs * tokens];
            float[] o = new float[e.length];
            int chunks = (pairs + TRANSPOSE_PAIRS - 1) / TRANSPOSE_PAIRS;
            parallel.forEach(count * chunks, task -> {
                int block = task / chunks;
                int from = task % chunks * TRANSPOSE_PAIRS;
                int to = Math.min(pairs, from + TRANSPOSE_PAIRS);
                for (int t = block * tokens; t < (block + 1) * tokens; t++) {
                    for (int p = from, at = block * pairs * tokens + from * tokens + t % tokens; p < to; p++, at += tokens) {
                        e[at] = even[t * pairs + p];
                        o[at] = odd[t * pairs + p];
                    }
                }
            });
            blocks = new TokenBlocks(tokens, e, o);
        }
        return blocks;
    }

    /** Activation codes transposed into blocks of {@code tokens} rows (see {@link #tokenBlocks}). */
    record TokenBlocks(int tokens, float[] even, float[] odd) {
        /** Whole blocks held, for a width of {@code pairs} column pairs. */
        int count(int pairs) {
            return even.length / (pairs * tokens);
        }
    }

    /**
     * Σ even + odd over column pairs [from, from + pairs) of row {@code row}: what
     * {@link Kernels#dotPacked} takes as its code sum.
     */
    int codeSum(int row, int from, int pairs) {
        int at = row * (width / 2 + 1) + from;
        return codePrefix[at + pairs] - codePrefix[at];
    }

    /**
     * Rows of x [rows × width] quantized by {@code quantizer}, or kept as floats when it is null; a
     * prefill's rows are shared out by {@code parallel}.
     */
    static Activations of(float[] x, int rows, int width, DynamicQuantizer quantizer, Parallel parallel) {
        if (quantizer == null) {
            return new Activations(rows, width, x, null, null, null, parallel);
        }
        byte[] codes = new byte[rows * width];
        float[] scales = new float[rows];
        int[] zeros = new int[rows];
        parallel.forEach(rows, t -> scales[t] = quantizer.quantize(x, t * width, width, codes, t * width, zeros, t));
        return new Activations(rows, width, null, codes, scales, zeros, parallel);
    }

    boolean quantized() {
        return codes != null;
    }
}
