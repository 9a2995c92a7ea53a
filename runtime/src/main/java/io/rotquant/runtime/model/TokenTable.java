package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A [vocab, d] matrix read one row per token: the embedding (a row looked up) and the head (every
 * row dotted with the hidden state). Read where the artifact is mapped, neither copied onto the
 * heap nor counted as direct memory (the two tables are most of a small model's bytes): F16, 8-bit codes with one scale per row, which
 * halves the head's bytes per decoded token, or 4-bit codes with a scale per group of a row, which
 * quarters them. Valid while the model is open.
 */
abstract sealed class TokenTable permits TokenTable.Half, TokenTable.RowCodes, TokenTable.GroupCodes {
    final int width;

    TokenTable(int width) {
        this.width = width;
    }

    static TokenTable read(Artifact artifact, String name, int width) {
        String type = artifact.tableType(name);
        if (type.equals(ArtifactFormat.ROW_CODES_DTYPE) || type.equals(ArtifactFormat.GROUP_CODES_DTYPE)) {
            String scales = ArtifactFormat.rowScales(name);
            float[] values = artifact.tensor(scales).toArray(SafetensorsFile.F32);
            MemorySegment codes = artifact.tensor(name);
            return type.equals(ArtifactFormat.ROW_CODES_DTYPE) ? new RowCodes(width, codes, values)
                    : new GroupCodes(width, codes, values, (int) artifact.shape(scales)[1]);
        }
        return new Half(width, artifact.tensor(name));
    }

    /** Writes row {@code row} as floats into {@code out} from {@code at}. */
    abstract void row(int row, float[] out, int at);

    /**
     * Rows first .. first+rows of x [· × width] in the layout {@link #dot} reads: as they are, or
     * (4-bit codes) each row's even columns and then its odd ones, split once for the whole table.
     */
    float[] prepared(float[] x, int first, int rows) {
        return java.util.Arrays.copyOfRange(x, first * width, (first + rows) * width);
    }

    /** Row {@code row} · x[xFrom ..], x as {@link #prepared} gave it. */
    abstract float dot(Kernels kernels, int row, float[] x, int xFrom);

    /** Bytes held, all read once per decoded token when this is the head. */
    abstract long bytes();

    /** Kernel calls {@link #warmUp} makes: past the JIT's thresholds for its optimizing compiler. */
    private static final int WARM_UP_CALLS = 6000;
    /** Columns per warm-up call: a few vectors, so that the calls cost little while still interpreted. */
    private static final int WARM_UP_COLUMNS = 64;
    /** Where the warm-up's results go, so that no compiler drops the calls as unused. */
    private static volatile float warmUpSink;

    /**
     * Runs this table's dot kernel on the first columns of row 0, many times, so that the JIT
     * compiles it during load: as the head, nothing else runs that kernel before the first token,
     * which would otherwise sweep the vocabulary's rows while the kernel is still interpreted.
     */
    void warmUp(Kernels kernels) {
        float[] zeros = new float[width];
        float sum = 0f;
        for (int c = 0; c < WARM_UP_CALLS; c++) {
            sum += dotFirstColumns(kernels, zeros);
        }
        warmUpSink = sum;
    }

    /** Row 0's first {@link #WARM_UP_COLUMNS} columns (or its first group) · zeros, by the kernel {@link #dot} uses. */
    abstract float dotFirstColumns(Kernels kernels, float[] zeros);

    /** IEEE half-precision bits, widened in the dot kernel. */
    static final class Half extends TokenTable {
        private final MemorySegment values;

        Half(int width, MemorySegment values) {
            super(width);
            this.values = values;
        }

        @Override
        void row(int row, float[] out, int at) {
            long from = (long) row * width;
            for (int i = 0; i < width; i++) {
                out[at + i] = Float.float16ToFloat(values.getAtIndex(SafetensorsFile.F16, from + i));
            }
        }

        @Override
        float dot(Kernels kernels, int row, float[] x, int xFrom) {
            return kernels.dotHalf(x, xFrom, values, (long) row * width, width);
        }

        @Override
        float dotFirstColumns(Kernels kernels, float[] zeros) {
            return kernels.dotHalf(zeros, 0, values, 0, Math.min(width, WARM_UP_COLUMNS));
        }

        @Override
        long bytes() {
            return values.byteSize();
        }
    }

    /** Symmetric 8-bit codes; the row's scale multiplies the dot product once. */
    static final class RowCodes extends TokenTable {
        private final MemorySegment codes;
        private final float[] scales;

        RowCodes(int width, MemorySegment codes, float[] scales) {
            super(width);
            this.codes = codes;
            this.scales = scales;
        }

        @Override
        void row(int row, float[] out, int at) {
            float scale = scales[row];
            long from = (long) row * width;
            for (int i = 0; i < width; i++) {
                out[at + i] = codes.get(ValueLayout.JAVA_BYTE, from + i) * scale;
            }
        }

        @Override
        float dot(Kernels kernels, int row, float[] x, int xFrom) {
            return kernels.dotBytes(x, xFrom, codes, (long) row * width, width) * scales[row];
        }

        @Override
        float dotFirstColumns(Kernels kernels, float[] zeros) {
            return kernels.dotBytes(zeros, 0, codes, 0, Math.min(width, WARM_UP_COLUMNS)) * scales[0];
        }

        @Override
        long bytes() {
            return codes.byteSize() + 4L * scales.length;
        }
    }

    /**
     * Symmetric 4-bit codes, two per byte (low nibble: the even column), with a scale per group of
     * a row; the kernel applies each group's scale to its partial sums.
     */
    static final class GroupCodes extends TokenTable {
        private final MemorySegment codes;
        private final float[] scales;
        private final int groups;

        GroupCodes(int width, MemorySegment codes, float[] scales, int groups) {
            super(width);
            this.codes = codes;
            this.scales = scales;
            this.groups = groups;
        }

        @Override
        void row(int row, float[] out, int at) {
            int half = width / 2;
            int groupPairs = half / groups;
            long from = (long) row * half;
            for (int p = 0; p < half; p++) {
                byte b = codes.get(ValueLayout.JAVA_BYTE, from + p);
                float scale = scales[row * groups + p / groupPairs];
                out[at + 2 * p] = Kernels.lowNibble(b) * scale;
                out[at + 2 * p + 1] = Kernels.highNibble(b) * scale;
            }
        }

        @Override
        float[] prepared(float[] x, int first, int rows) {
            int half = width / 2;
            float[] split = new float[rows * width];
            for (int t = 0; t < rows; t++) {
                int from = (first + t) * width;
                for (int p = 0; p < half; p++) {
                    split[t * width + p] = x[from + 2 * p];
                    split[t * width + half + p] = x[from + 2 * p + 1];
                }
            }
            return split;
        }

        @Override
        float dot(Kernels kernels, int row, float[] x, int xFrom) {
            int half = width / 2;
            return kernels.dotNibbleGroups(x, xFrom, xFrom + half, codes, (long) row * half, scales, row * groups,
                    groups, half / groups);
        }

        @Override
        float dotFirstColumns(Kernels kernels, float[] zeros) {
            int groupPairs = width / 2 / groups;
            int taken = Math.min(groups, Math.max(1, WARM_UP_COLUMNS / (2 * groupPairs)));
            return kernels.dotNibbleGroups(zeros, 0, taken * groupPairs, codes, 0, scales, 0, taken, groupPairs);
        }

        @Override
        long bytes() {
            return codes.byteSize() + 4L * scales.length;
        }
    }
}
