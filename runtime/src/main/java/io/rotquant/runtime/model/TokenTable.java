package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.lang.foreign.ValueLayout;

/**
 * A [vocab, d] matrix read one row per token: the embedding (a row looked up) and the head (every
 * row dotted with the hidden state). Stored as the artifact has it: F16, or 8-bit codes with one
 * scale per row, which halves the head's bytes per decoded token.
 */
abstract sealed class TokenTable permits TokenTable.Half, TokenTable.RowCodes {
    final int width;

    TokenTable(int width) {
        this.width = width;
    }

    static TokenTable read(Artifact artifact, String name, int width) {
        if (artifact.rowCodes(name)) {
            return new RowCodes(width, artifact.tensor(name).toArray(ValueLayout.JAVA_BYTE),
                    artifact.tensor(ArtifactFormat.rowScales(name)).toArray(SafetensorsFile.F32));
        }
        return new Half(width, artifact.tensor(name).toArray(SafetensorsFile.F16));
    }

    /** Writes row {@code row} as floats into {@code out} from {@code at}. */
    abstract void row(int row, float[] out, int at);

    /** Row {@code row} · x[xFrom ..]. */
    abstract float dot(Kernels kernels, int row, float[] x, int xFrom);

    /** Bytes held, all read once per decoded token when this is the head. */
    abstract long bytes();

    /** IEEE half-precision bits, widened in the dot kernel. */
    static final class Half extends TokenTable {
        private final short[] values;

        Half(int width, short[] values) {
            super(width);
            this.values = values;
        }

        @Override
        void row(int row, float[] out, int at) {
            for (int i = 0; i < width; i++) {
                out[at + i] = Float.float16ToFloat(values[row * width + i]);
            }
        }

        @Override
        float dot(Kernels kernels, int row, float[] x, int xFrom) {
            return kernels.dotHalf(x, xFrom, values, row * width, width);
        }

        @Override
        long bytes() {
            return 2L * values.length;
        }
    }

    /** Symmetric 8-bit codes; the row's scale multiplies the dot product once. */
    static final class RowCodes extends TokenTable {
        private final byte[] codes;
        private final float[] scales;

        RowCodes(int width, byte[] codes, float[] scales) {
            super(width);
            this.codes = codes;
            this.scales = scales;
        }

        @Override
        void row(int row, float[] out, int at) {
            float scale = scales[row];
            for (int i = 0; i < width; i++) {
                out[at + i] = codes[row * width + i] * scale;
            }
        }

        @Override
        float dot(Kernels kernels, int row, float[] x, int xFrom) {
            return kernels.dotBytes(x, xFrom, codes, row * width, width) * scales[row];
        }

        @Override
        long bytes() {
            return codes.length + 4L * scales.length;
        }
    }
}
