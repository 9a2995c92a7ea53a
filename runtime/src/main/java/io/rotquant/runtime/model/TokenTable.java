package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A [vocab, d] matrix read one row per token: the embedding (a row looked up) and the head (every
 * row dotted with the hidden state). Read where the artifact is mapped, not copied onto the heap
 * (the two tables are most of a small model's bytes): F16, or 8-bit codes with one scale per row,
 * which halves the head's bytes per decoded token. Valid while the model is open.
 */
abstract sealed class TokenTable permits TokenTable.Half, TokenTable.RowCodes {
    final int width;

    TokenTable(int width) {
        this.width = width;
    }

    static TokenTable read(Artifact artifact, String name, int width) {
        if (artifact.rowCodes(name)) {
            return new RowCodes(width, offHeap(artifact.tensor(name)),
                    artifact.tensor(ArtifactFormat.rowScales(name)).toArray(SafetensorsFile.F32));
        }
        return new Half(width, offHeap(artifact.tensor(name)));
    }

    /** A copy outside the Java heap, freed with the table: reads without the mapped file's checks. */
    private static MemorySegment offHeap(MemorySegment stored) {
        return Arena.ofAuto().allocate(stored.byteSize(), 64).copyFrom(stored);
    }

    /** Writes row {@code row} as floats into {@code out} from {@code at}. */
    abstract void row(int row, float[] out, int at);

    /** Row {@code row} · x[xFrom ..]. */
    abstract float dot(Kernels kernels, int row, float[] x, int xFrom);

    /** Bytes held, all read once per decoded token when this is the head. */
    abstract long bytes();

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
        long bytes() {
            return codes.byteSize() + 4L * scales.length;
        }
    }
}
