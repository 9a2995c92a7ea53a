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
    private final Kernels kernels;

    KvRows(int width, int heads, DynamicQuantizer quantizer, int initialPositions, Kernels kernels) {
        this.width = width;
        this.kernels = kernels;
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

    /** scores[j] = q[qFrom ..]·row(j, head) for every position j < positions (dequantized rows). */
    void scores(int positions, int head, float[] q, int qFrom, float[] scores) {
        if (quantizer == null) {
            for (int j = 0; j < positions; j++) {
                scores[j] = kernels.dot(q, qFrom, values, (j * heads + head) * width, width);
            }
            return;
        }
        float qSum = 0f;
        for (int i = 0; i < width; i++) {
            qSum += q[qFrom + i];
        }
        if (packed) {
            // De-interleave q once, so that each packed row is one pass over its bytes.
            int pairs = width / 2;
            float[] even = new float[pairs];
            float[] odd = new float[pairs];
            for (int p = 0; p < pairs; p++) {
                even[p] = q[qFrom + 2 * p];
                odd[p] = q[qFrom + 2 * p + 1];
            }
            for (int j = 0; j < positions; j++) {
                int row = j * heads + head;
                scores[j] = scales[row] * (kernels.dotNibbles(even, odd, codes, row * pairs, pairs) - zeros[row] * qSum);
            }
            return;
        }
        for (int j = 0; j < positions; j++) {
            int row = j * heads + head;
            float acc = 0f;
            for (int i = 0; i < width; i++) {
                acc += q[qFrom + i] * codes[row * width + i];
            }
            scores[j] = scales[row] * (acc - zeros[row] * qSum);
        }
    }

    /** out[outFrom ..] += Σ_{j < positions} weights[j]·row(j, head). */
    void weightedSum(int positions, int head, float[] weights, float[] out, int outFrom) {
        if (quantizer == null) {
            for (int j = 0; j < positions; j++) {
                kernels.axpy(weights[j], values, (j * heads + head) * width, out, outFrom, width);
            }
            return;
        }
        // Σ_j w_j·s_j·(c_j − z_j) = Σ_j (w_j·s_j)·c_j − Σ_j w_j·s_j·z_j: the zero points add one constant.
        float shift = 0f;
        if (packed) {
            int pairs = width / 2;
            float[] even = new float[pairs];
            float[] odd = new float[pairs];
            for (int j = 0; j < positions; j++) {
                int row = j * heads + head;
                float ws = weights[j] * scales[row];
                kernels.addNibbles(ws, codes, row * pairs, pairs, even, odd);
                shift += ws * zeros[row];
            }
            for (int p = 0; p < pairs; p++) {
                out[outFrom + 2 * p] += even[p] - shift;
                out[outFrom + 2 * p + 1] += odd[p] - shift;
            }
            return;
        }
        for (int j = 0; j < positions; j++) {
            int row = j * heads + head;
            float ws = weights[j] * scales[row];
            for (int i = 0; i < width; i++) {
                out[outFrom + i] += ws * codes[row * width + i];
            }
            shift += ws * zeros[row];
        }
        for (int i = 0; i < width; i++) {
            out[outFrom + i] -= shift;
        }
    }
}
