package io.rotquant.runtime.model;

/**
 * A batch of T activation rows of width n, as a linear layer consumes them: quantized per row
 * (signed codes, scale, shifted zero point) when the artifact quantizes activations, else float.
 */
final class Activations {
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
    /** codePrefix[i] = Σ_{j<i} even[j] + odd[j]: any range's code sum in two reads ({@link #codeSum}). */
    private final int[] codePrefix;
    private TokenBlocks blocks;

    private Activations(int rows, int width, float[] values, byte[] codes, float[] scales, int[] zeros) {
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
        this.even = new short[codes.length / 2];
        this.odd = new short[codes.length / 2];
        this.codePrefix = new int[even.length + 1];
        for (int i = 0; i < even.length; i++) {
            even[i] = codes[2 * i];
            odd[i] = codes[2 * i + 1];
            codePrefix[i + 1] = codePrefix[i] + even[i] + odd[i];
        }
    }

    /**
     * The even and odd columns' codes as floats for {@link Kernels#blockProducts}, in blocks of
     * {@code tokens} rows: block b holds column pair p of row b·tokens + t at [b·pairs·tokens + p·tokens + t].
     * Built on the first call (the rows past the last whole block are left out) and kept, so the
     * linears that read the same activations (q, k and v; gate and up) transpose them once.
     */
    TokenBlocks tokenBlocks(int tokens) {
        if (blocks == null || blocks.tokens() != tokens) {
            int pairs = width / 2;
            int count = rows / tokens;
            float[] e = new float[count * pairs * tokens];
            float[] o = new float[e.length];
            for (int t = 0; t < count * tokens; t++) {
                int to = (t / tokens) * pairs * tokens + t % tokens;
                for (int p = 0; p < pairs; p++, to += tokens) {
                    e[to] = even[t * pairs + p];
                    o[to] = odd[t * pairs + p];
                }
            }
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

    /** Σ even[e+p] + odd[e+p] for p < pairs: what {@link Kernels#dotPacked} takes as its code sum. */
    int codeSum(int e, int pairs) {
        return codePrefix[e + pairs] - codePrefix[e];
    }

    /** Rows of x [rows × width] quantized by {@code quantizer}, or kept as floats when it is null. */
    static Activations of(float[] x, int rows, int width, DynamicQuantizer quantizer) {
        if (quantizer == null) {
            return new Activations(rows, width, x, null, null, null);
        }
        byte[] codes = new byte[rows * width];
        float[] scales = new float[rows];
        int[] zeros = new int[rows];
        for (int t = 0; t < rows; t++) {
            scales[t] = quantizer.quantize(x, t * width, width, codes, t * width, zeros, t);
        }
        return new Activations(rows, width, null, codes, scales, zeros);
    }

    boolean quantized() {
        return codes != null;
    }
}
