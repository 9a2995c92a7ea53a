package io.rotquant.runtime.model;

import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One linear layer with integer weight codes {@code c} [out, in] and scales {@code s_w} [out, groups].
 * With quantized activations {@code x ≈ s_x·(q − z)} the output is
 * {@code y_j = s_x·Σ_g s_w[j,g]·(Σ_{i∈g} q_i·c_ji − z·Σ_{i∈g} c_ji)}: an int32 dot product per group,
 * with the code sums precomputed. The codes are read where the artifact is mapped (not copied onto
 * the heap, nor counted as direct memory): 4-bit codes stay packed two per byte as in the file (half
 * the bytes to stream per token) and meet the activations' even and odd columns in one kernel; wider
 * codes are one per byte. Valid while the model is open.
 */
final class QuantizedLinear {
    private static final int ROWS_PER_TASK = 16;
    /** Each pool thread's buffers for {@link #blockRows}, grown to the widest linear and kept: a prefill allocates them once. */
    private static final ThreadLocal<BlockBuffers> BLOCK_BUFFERS = ThreadLocal.withInitial(BlockBuffers::new);

    private final int out;
    private final int in;
    private final int groups;
    private final int groupSize;
    private final MemorySegment codes;
    private final boolean packed;
    private final Kernels kernels;
    private final float[] scales;
    private final int[] codeSums;

    QuantizedLinear(MemorySegment codeBytes, MemorySegment scaleBytes, int out, int in, int group, boolean packed,
            Kernels kernels) {
        this.out = out;
        this.in = in;
        this.groups = group == 0 ? 1 : in / group;
        this.groupSize = in / groups;
        this.kernels = kernels;
        // Packed groups must start on a byte: an odd group size falls back to one code per byte.
        this.packed = packed && groupSize % 2 == 0;
        this.codes = packed && !this.packed ? unpack(codeBytes) : codeBytes;
        this.scales = scaleBytes.toArray(SafetensorsFile.F32);
        this.codeSums = codeSums();
    }

    /** Bytes one pass over this linear reads: a code byte per weight, and the scales. */
    long residentBytes() {
        return codes.byteSize() + 4L * scales.length;
    }

    int outputs() {
        return out;
    }

    int inputs() {
        return in;
    }

    /**
     * The sum of each row's codes per group (the zero point's correction): a load-time pass over
     * every weight, run by the dot kernels against codes of one, so it streams at kernel speed and
     * gets the kernels compiled before the first token needs them.
     */
    private int[] codeSums() {
        int[] sums = new int[out * groups];
        int bytesPerGroup = packed ? groupSize / 2 : groupSize;
        short[] ones = new short[bytesPerGroup];
        java.util.Arrays.fill(ones, (short) 1);
        byte[] oneBytes = new byte[bytesPerGroup];
        java.util.Arrays.fill(oneBytes, (byte) 1);
        for (int r = 0; r < out * groups; r++) {
            long from = (long) r * bytesPerGroup;
            sums[r] = packed ? kernels.dotPacked(ones, ones, 0, 2 * bytesPerGroup, codes, from, bytesPerGroup)
                    : kernels.dot(oneBytes, 0, codes, from, bytesPerGroup);
        }
        return sums;
    }

    /** Two's-complement nibbles, even column in the low nibble, to one signed byte per code (on the heap). */
    private static MemorySegment unpack(MemorySegment packed) {
        byte[] stored = packed.toArray(ValueLayout.JAVA_BYTE);
        byte[] out = new byte[stored.length * 2];
        for (int p = 0; p < stored.length; p++) {
            out[2 * p] = (byte) Kernels.lowNibble(stored[p]);
            out[2 * p + 1] = (byte) Kernels.highNibble(stored[p]);
        }
        return MemorySegment.ofArray(out);
    }

    private int code(int row, int column) {
        if (!packed) {
            return codes.get(ValueLayout.JAVA_BYTE, (long) row * in + column);
        }
        byte b = codes.get(ValueLayout.JAVA_BYTE, (long) row * (in / 2) + column / 2);
        return (column & 1) == 0 ? Kernels.lowNibble(b) : Kernels.highNibble(b);
    }

    /** y [rows × out] = x·Wᵀ for every activation row. */
    void apply(Activations x, float[] y, Parallel parallel) {
        int tasks = (out + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        boolean packedCodes = x.quantized() && packed;
        // A prefill's whole blocks of rows go through the float GEMM block where it is exact; the
        // rest meets the packed codes a few rows at a time (tiles), or one at a time (decode).
        int tokens = kernels.blockTokens();
        int blocked = packedCodes && groupSize <= Kernels.EXACT_FLOAT_COLUMNS ? x.rows - x.rows % tokens : 0;
        Activations.TokenBlocks blocks = blocked > 0 ? x.tokenBlocks(tokens, parallel) : null;
        int tiled = packedCodes ? x.rows - x.rows % Kernels.PACKED_ROWS : 0;
        parallel.forEach(tasks, task -> {
            int end = Math.min(out, (task + 1) * ROWS_PER_TASK);
            // Only a prefill needs the tiles' buffers: decode allocates nothing per task.
            int[] acc = tiled > 0 ? new int[Kernels.WEIGHT_ROWS * Kernels.PACKED_ROWS] : null;
            int[] activationSums = tiled > 0 ? new int[Kernels.PACKED_ROWS] : null;
            float[] sums = tiled > 0 ? new float[Kernels.WEIGHT_ROWS * Kernels.PACKED_ROWS] : null;
            for (int j = task * ROWS_PER_TASK, rows; j < end; j += rows) {
                boolean block = blocks != null && end - j >= Kernels.BLOCK_ROWS;
                rows = block ? Kernels.BLOCK_ROWS : Math.min(Kernels.WEIGHT_ROWS, end - j);
                int first = block ? blocked : 0;
                if (block) {
                    blockRows(x, blocks, j, y);
                }
                for (int k = j; k < j + rows; k += Kernels.WEIGHT_ROWS) {
                    int weightRows = Math.min(Kernels.WEIGHT_ROWS, j + rows - k);
                    for (int t = first; t < tiled; t += Kernels.PACKED_ROWS) {
                        packedTile(x, t, k, weightRows, acc, activationSums, sums, y);
                    }
                    for (int r = k; r < k + weightRows; r++) {
                        for (int t = Math.max(first, tiled); t < x.rows; t++) {
                            y[t * out + r] = x.quantized() ? integerRow(x, t, r) : floatRow(x, t, r);
                        }
                    }
                }
            }
        });
    }

    /**
     * {@link #integerRow} of every whole block of activation rows for weight rows j .. j+BLOCK_ROWS:
     * the rows' codes unpacked to floats once, each group's exact sums from the float block, the
     * same arithmetic per group after it.
     */
    private void blockRows(Activations x, Activations.TokenBlocks blocks, int j, float[] y) {
        int pairs = in / 2;
        int tokens = blocks.tokens();
        BlockBuffers buffers = BLOCK_BUFFERS.get().fit(pairs, tokens);
        for (int k = 0; k < Kernels.BLOCK_ROWS; k++) {
            kernels.unpackNibbles(codes, (long) (j + k) * pairs, pairs, buffers.even, buffers.odd, k * pairs);
        }
        int groupPairs = groupSize / 2;
        for (int b = 0, xFrom = 0; b < blocks.count(pairs); b++, xFrom += pairs * tokens) {
            java.util.Arrays.fill(buffers.sums, 0f);
            for (int g = 0; g < groups; g++) {
                kernels.blockProducts(blocks.even(), blocks.odd(), xFrom, buffers.even, buffers.odd, pairs, g * groupPairs,
                        (g + 1) * groupPairs, buffers.products);
                for (int k = 0; k < Kernels.BLOCK_ROWS; k++) {
                    for (int t = 0; t < tokens; t++) {
                        buffers.sums[k * tokens + t] += groupTerm(j + k, g, (int) buffers.products[k * tokens + t],
                                x.zeros[b * tokens + t]);
                    }
                }
            }
            for (int k = 0; k < Kernels.BLOCK_ROWS; k++) {
                for (int t = 0; t < tokens; t++) {
                    y[(b * tokens + t) * out + j + k] = x.scales[b * tokens + t] * buffers.sums[k * tokens + t];
                }
            }
        }
    }

    private static final class BlockBuffers {
        float[] even = new float[0];
        float[] odd = new float[0];
        float[] products = new float[0];
        float[] sums = new float[0];

        BlockBuffers fit(int pairs, int tokens) {
            if (even.length < Kernels.BLOCK_ROWS * pairs) {
                even = new float[Kernels.BLOCK_ROWS * pairs];
                odd = new float[even.length];
            }
            if (products.length != Kernels.BLOCK_ROWS * tokens) {
                products = new float[Kernels.BLOCK_ROWS * tokens];
                sums = new float[products.length];
            }
            return this;
        }
    }

    /**
     * {@link #integerRow} of activation rows t .. t+PACKED_ROWS for weight rows j .. j+weightRows
     * (one or {@link Kernels#WEIGHT_ROWS}; one repeats its row in the tile), the same arithmetic per row.
     */
    private void packedTile(Activations x, int t, int j, int weightRows, int[] acc, int[] activationSums, float[] sums,
            float[] y) {
        java.util.Arrays.fill(sums, 0f);
        long wStride = weightRows == 1 ? 0 : in / 2;
        for (int g = 0; g < groups; g++) {
            int from = g * groupSize;
            int e = (t * in + from) / 2;
            for (int r = 0; r < Kernels.PACKED_ROWS; r++) {
                activationSums[r] = x.codeSum(t + r, from / 2, groupSize / 2);
            }
            kernels.dotPackedTile(x.even, x.odd, e, in / 2, activationSums, codes, ((long) j * in + from) / 2, wStride,
                    groupSize / 2, acc);
            for (int k = 0; k < weightRows; k++) {
                for (int r = 0; r < Kernels.PACKED_ROWS; r++) {
                    sums[k * Kernels.PACKED_ROWS + r] += groupTerm(j + k, g, acc[k * Kernels.PACKED_ROWS + r], x.zeros[t + r]);
                }
            }
        }
        for (int k = 0; k < weightRows; k++) {
            for (int r = 0; r < Kernels.PACKED_ROWS; r++) {
                y[(t + r) * out + j + k] = x.scales[t + r] * sums[k * Kernels.PACKED_ROWS + r];
            }
        }
    }

    private float integerRow(Activations x, int t, int j) {
        int base = t * in;
        float sum = 0f;
        for (int g = 0; g < groups; g++) {
            int from = g * groupSize;
            long at = (long) j * in + from;
            int e = (base + from) / 2;
            int acc = packed ? kernels.dotPacked(x.even, x.odd, e, x.codeSum(t, from / 2, groupSize / 2), codes, at / 2, groupSize / 2)
                    : kernels.dot(x.codes, base + from, codes, at, groupSize);
            sum += groupTerm(j, g, acc, x.zeros[t]);
        }
        return x.scales[t] * sum;
    }

    /** Group g of row j from its integer dot product: s_w·(Σ q·c − z·Σ c), before the activation scale. */
    private float groupTerm(int j, int g, int dot, int zero) {
        return scales[j * groups + g] * (dot - zero * codeSums[j * groups + g]);
    }

    private float floatRow(Activations x, int t, int j) {
        float sum = 0f;
        for (int g = 0; g < groups; g++) {
            float acc = 0f;
            for (int i = g * groupSize; i < (g + 1) * groupSize; i++) {
                acc += x.values[t * in + i] * code(j, i);
            }
            sum += scales[j * groups + g] * acc;
        }
        return sum;
    }
}
