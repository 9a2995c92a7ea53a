package io.rotquant.runtime.model;

import java.util.Arrays;

/**
 * One layer's cache of K or V: a row of head_dim values per (position, KV head), quantized per row
 * as the compiler simulates it (4-bit codes packed two per byte) or kept as floats at 16 bits.
 * Grows by doubling up to the model's context. Packed keys are stored in blocks of
 * {@link Kernels#keyBlock()} positions with the rows transposed, so that scoring runs along
 * positions (see {@link Kernels#scoreKeyBlocks}); values, and every unpacked cache, row after row.
 */
final class KvRows {
    private final int width;
    private final int heads;
    private final DynamicQuantizer quantizer;
    private final boolean packed;
    /** Positions per block (a power of two): rows of a block are interleaved byte by byte; 1 is plain row order. */
    private final int block;
    private final int blockShift;
    private byte[] codes;
    private float[] scales;
    private int[] zeros;
    private float[] values;
    private final byte[] scratch;
    private final int[] zeroScratch = new int[1];
    private final Kernels kernels;

    /** A cache of keys (blocked when packed, for {@link #scores}) or of values (for {@link #weightedSum}). */
    KvRows(int width, int heads, DynamicQuantizer quantizer, int initialPositions, Kernels kernels, boolean keys) {
        this.width = width;
        this.kernels = kernels;
        this.heads = heads;
        this.quantizer = quantizer;
        this.packed = quantizer != null && quantizer.bits() <= 4;
        this.block = packed && keys ? kernels.keyBlock() : 1;
        if (Integer.bitCount(block) != 1) {
            throw new IllegalStateException("key block of " + block + " positions is not a power of two");
        }
        this.blockShift = Integer.numberOfTrailingZeros(block);
        this.scratch = new byte[width];
        allocate(initialPositions);
    }

    /**
     * A cache holding this one's first {@code positions} positions, in arrays of its own (room for
     * whole blocks of them, growing as {@link #ensure} does): what either cache stores next leaves the
     * other as it was.
     */
    KvRows copy(int positions) {
        return new KvRows(this, positions);
    }

    private KvRows(KvRows source, int positions) {
        this.width = source.width;
        this.heads = source.heads;
        this.quantizer = source.quantizer;
        this.packed = source.packed;
        this.block = source.block;
        this.blockShift = source.blockShift;
        this.kernels = source.kernels;
        this.scratch = new byte[width];
        // allocate copies what the arrays hold into arrays of its own, sized for these positions.
        this.values = source.values;
        this.codes = source.codes;
        this.scales = source.scales;
        this.zeros = source.zeros;
        allocate(Math.max(positions, 1));
    }

    private void allocate(int positions) {
        int rows = roundUp(positions, block) * heads;
        if (quantizer == null) {
            values = values == null ? new float[rows * width] : Arrays.copyOf(values, rows * width);
            return;
        }
        codes = codes == null ? new byte[rows * rowBytes()] : Arrays.copyOf(codes, rows * rowBytes());
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

    /**
     * Where (position, head) keeps its scale and zero point: blocks of {@code block} positions, one
     * run of slots per head within a block; with blocks of one, row order.
     */
    private int slot(int position, int head) {
        return ((position >> blockShift) * heads + head << blockShift) + (position & block - 1);
    }

    /** Stores src[from .. from+width) as the row of (position, head). */
    void put(int position, int head, float[] src, int from) {
        int slot = slot(position, head);
        if (quantizer == null) {
            System.arraycopy(src, from, values, slot * width, width);
            return;
        }
        scales[slot] = quantizer.quantize(src, from, width, scratch, 0, zeroScratch, 0);
        zeros[slot] = zeroScratch[0];
        if (packed) {
            int pairs = width / 2;
            int k = position & block - 1;
            for (int p = 0; p < pairs; p++) {
                codes[(slot - k) * pairs + p * block + k] = (byte) ((scratch[2 * p] & 0xF) | (scratch[2 * p + 1] << 4));
            }
        } else {
            System.arraycopy(scratch, 0, codes, slot * width, width);
        }
    }

    /** Bytes a row's codes take: packed two per byte at 4 bits, one per byte above; 0 at 16 bits. */
    int rowBytes() {
        return quantizer == null ? 0 : packed ? width / 2 : width;
    }

    boolean quantized() {
        return quantizer != null;
    }

    /**
     * The rows of positions [0, positions) in the order (position, head), whatever this cache's
     * block layout: codes, scales and zero points of a quantized cache, or the values at 16 bits
     * (the arrays of the other kind are null and ignored). What {@link #importRows} reads back.
     */
    void exportRows(int positions, byte[] codesOut, float[] scalesOut, int[] zerosOut, float[] valuesOut) {
        moveRows(positions, codesOut, scalesOut, zerosOut, valuesOut, true);
    }

    /** Stores rows as {@link #exportRows} gave them, as positions [0, positions) of this cache. */
    void importRows(int positions, byte[] codesIn, float[] scalesIn, int[] zerosIn, float[] valuesIn) {
        ensure(positions);
        moveRows(positions, codesIn, scalesIn, zerosIn, valuesIn, false);
    }

    private void moveRows(int positions, byte[] rowCodes, float[] rowScales, int[] rowZeros, float[] rowValues,
            boolean out) {
        int bytes = rowBytes();
        for (int j = 0; j < positions; j++) {
            for (int h = 0; h < heads; h++) {
                int row = j * heads + h;
                int slot = slot(j, h);
                if (quantizer == null) {
                    copy(values, slot * width, rowValues, row * width, width, out);
                    continue;
                }
                if (out) {
                    rowScales[row] = scales[slot];
                    rowZeros[row] = zeros[slot];
                } else {
                    scales[slot] = rowScales[row];
                    zeros[slot] = rowZeros[row];
                }
                for (int p = 0; p < bytes; p++) {
                    int at = packed ? (slot - (j & block - 1)) * bytes + p * block + (j & block - 1) : slot * width + p;
                    if (out) {
                        rowCodes[row * bytes + p] = codes[at];
                    } else {
                        codes[at] = rowCodes[row * bytes + p];
                    }
                }
            }
        }
    }

    private static void copy(float[] cache, int cacheFrom, float[] rows, int rowFrom, int length, boolean out) {
        if (out) {
            System.arraycopy(cache, cacheFrom, rows, rowFrom, length);
        } else {
            System.arraycopy(rows, rowFrom, cache, cacheFrom, length);
        }
    }

    /** Row length of score arrays for {@code positions} cached positions (whole blocks). */
    int scoreStride(int positions) {
        return roundUp(positions, block);
    }

    /** Rows of score arrays for {@code queries} query rows (whole tiles when the keys are packed). */
    int scoreRows(int queries) {
        return packed ? roundUp(queries, Kernels.QUERY_TILE) : queries;
    }

    /**
     * scores[g·stride + j] = q_g·row(j, head) for j < positions and each of {@code queries} query
     * rows q_g = q[qFrom + g·width ..] (the query heads that share this KV head). The array holds
     * {@link #scoreRows} rows of {@code stride} ≥ {@link #scoreStride} values; the rest of it is
     * overwritten with values of no meaning.
     */
    void scores(int positions, int head, float[] q, int qFrom, int queries, float[] scores, int stride) {
        if (packed) {
            int rows = scoreRows(queries);
            float[] padded = Arrays.copyOfRange(q, qFrom, qFrom + rows * width);
            Arrays.fill(padded, queries * width, padded.length, 0f);
            for (int t = 0; t < rows; t += Kernels.QUERY_TILE) {
                kernels.scoreKeyBlocks(padded, t * width, codes, scales, zeros, head * block, heads * block,
                        scoreStride(positions) / block, width / 2, scores, t * stride, stride);
            }
            return;
        }
        // With zero point z and scale s, q·row = s·(q·codes − z·Σq).
        float[] sums = new float[queries];
        for (int g = 0; g < queries; g++) {
            for (int i = 0; i < width; i++) {
                sums[g] += q[qFrom + g * width + i];
            }
        }
        float[] row = new float[width];
        for (int j = 0; j < positions; j++) {
            int slot = slot(j, head);
            widen(slot, row);
            float scale = quantizer == null ? 1f : scales[slot];
            float zero = quantizer == null ? 0f : zeros[slot];
            for (int g = 0; g < queries; g++) {
                scores[g * stride + j] = scale * (kernels.dot(q, qFrom + g * width, row, 0, width) - zero * sums[g]);
            }
        }
    }

    /**
     * out[outFrom + g·width ..] += Σ_{j < positions} weights[g·stride + j]·row(j, head) for each of
     * {@code queries} weight rows.
     */
    void weightedSum(int positions, int head, float[] weights, int stride, int queries, float[] out, int outFrom) {
        // Σ_j w_j·s_j·(c_j − z_j) = Σ_j (w_j·s_j)·c_j − Σ_j w_j·s_j·z_j: the zero points add one constant.
        int rows = packed ? roundUp(queries, Kernels.QUERY_TILE) : queries;
        float[] rowScales = new float[positions];
        float[] rowShifts = new float[positions];
        for (int j = 0; j < positions; j++) {
            int slot = slot(j, head);
            rowScales[j] = quantizer == null ? 1f : scales[slot];
            rowShifts[j] = quantizer == null ? 0f : scales[slot] * zeros[slot];
        }
        float[] scaled = new float[rows * positions];
        float[] shifts = new float[queries];
        for (int g = 0; g < queries; g++) {
            for (int j = 0; j < positions; j++) {
                scaled[g * positions + j] = weights[g * stride + j] * rowScales[j];
            }
            shifts[g] = kernels.dot(weights, g * stride, rowShifts, 0, positions);
        }
        float[] sums = new float[rows * width];
        if (packed) {
            int pairs = width / 2;
            for (int t = 0; t < rows; t += Kernels.QUERY_TILE) {
                kernels.addValueRows(scaled, t * positions, positions, codes, slot(0, head) * pairs, heads * pairs, positions,
                        pairs, sums, t * width);
            }
        } else {
            float[] row = new float[width];
            for (int j = 0; j < positions; j++) {
                widen(slot(j, head), row);
                for (int g = 0; g < queries; g++) {
                    kernels.axpy(scaled[g * positions + j], row, 0, sums, g * width, width);
                }
            }
        }
        for (int g = 0; g < queries; g++) {
            for (int i = 0; i < width; i++) {
                // Packed sums come de-interleaved: even elements first, then odd.
                int at = packed ? (i & 1) * (width / 2) + (i >> 1) : i;
                out[outFrom + g * width + i] += sums[g * width + at] - shifts[g];
            }
        }
    }

    /** The row in {@code slot} of an unpacked cache as floats: the codes, or the values at 16 bits. */
    private void widen(int slot, float[] row) {
        if (quantizer == null) {
            System.arraycopy(values, slot * width, row, 0, width);
        } else {
            for (int i = 0; i < width; i++) {
                row[i] = codes[slot * width + i];
            }
        }
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
