package io.rotquant.runtime.model;

import java.util.Arrays;

/**
 * One layer's cache of K or V: a row of head_dim values per (position, KV head), quantized per row
 * as the compiler simulates it (4-bit codes packed two per byte) or kept as floats at 16 bits.
 * Grows by doubling up to the model's context.
 */
final class KvRows {
    private final int width;
    private final int heads;
    private final DynamicQuantizer quantizer;
    private final boolean packed;
    private byte[] codes;
    private float[] scales;
    private int[] zeros;
    private float[] values;
    private final byte[] scratch;
    private final int[] zeroScratch = new int[1];

    KvRows(int width, int heads, DynamicQuantizer quantizer, int initialPositions) {
        this.width = width;
        this.heads = heads;
        this.quantizer = quantizer;
        this.packed = quantizer != null && quantizer.bits() <= 4;
        this.scratch = new byte[width];
        allocate(initialPositions);
    }

    private void allocate(int positions) {
        int rows = positions * heads;
        if (quantizer == null) {
            values = values == null ? new float[rows * width] : Arrays.copyOf(values, rows * width);
            return;
        }
        int rowBytes = packed ? width / 2 : width;
        codes = codes == null ? new byte[rows * rowBytes] : Arrays.copyOf(codes, rows * rowBytes);
        scales = scales == null ? new float[rows] : Arrays.copyOf(scales, rows);
        zeros = zeros == null ? new int[rows] : Arrays.copyOf(zeros, rows);
    }

    /** Makes room for positions [0, positions). */
    void ensure(int positions) {
        int capacity = quantizer == null ? values.length / (heads * width) : scales.length / heads;
        if (positions > capacity) {
            allocate(Math.max(positions, capacity * 2));
        }
    }

    /** Stores src[from .. from+width) as the row of (position, head). */
    void put(int position, int head, float[] src, int from) {
        int row = position * heads + head;
        if (quantizer == null) {
            System.arraycopy(src, from, values, row * width, width);
            return;
        }
        scales[row] = quantizer.quantize(src, from, width, scratch, 0, zeroScratch, 0);
        zeros[row] = zeroScratch[0];
        if (packed) {
            for (int i = 0; i < width; i += 2) {
                codes[row * (width / 2) + i / 2] = (byte) ((scratch[i] & 0xF) | (scratch[i + 1] << 4));
            }
        } else {
            System.arraycopy(scratch, 0, codes, row * width, width);
        }
    }

    /** Σ_i q[qFrom+i]·row_i, given qSum = Σ_i q[qFrom+i]. */
    float dot(int position, int head, float[] q, int qFrom, float qSum) {
        int row = position * heads + head;
        if (quantizer == null) {
            float acc = 0f;
            for (int i = 0; i < width; i++) {
                acc += q[qFrom + i] * values[row * width + i];
            }
            return acc;
        }
        float acc = 0f;
        for (int i = 0; i < width; i++) {
            acc += q[qFrom + i] * code(row, i);
        }
        return scales[row] * (acc - zeros[row] * qSum);
    }

    /** out[outFrom+i] += p·row_i. */
    void addScaled(int position, int head, float p, float[] out, int outFrom) {
        int row = position * heads + head;
        if (quantizer == null) {
            for (int i = 0; i < width; i++) {
                out[outFrom + i] += p * values[row * width + i];
            }
            return;
        }
        float ps = p * scales[row];
        int z = zeros[row];
        for (int i = 0; i < width; i++) {
            out[outFrom + i] += ps * (code(row, i) - z);
        }
    }

    private int code(int row, int i) {
        if (!packed) {
            return codes[row * width + i];
        }
        byte b = codes[row * (width / 2) + i / 2];
        return (i & 1) == 0 ? (b << 28) >> 28 : b >> 4;
    }
}
