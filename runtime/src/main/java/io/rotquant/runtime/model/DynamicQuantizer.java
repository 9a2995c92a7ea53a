package io.rotquant.runtime.model;

/**
 * Dynamic asymmetric quantization of one row of floats, exactly as the compiler simulates it:
 * range [min, max] (widened to contain 0 when {@code includeZero}) times the clip ratio,
 * {@code s = max((max − min)/(2^b − 1), 1e-8)}, {@code z = rint(−min/s)},
 * {@code q = clamp(rint(x/s) + z, 0, 2^b − 1)}; an all-zero range becomes [−1, 1].
 * Codes are stored shifted to signed, {@code q − 2^(b−1)}, with the zero point shifted alike, so
 * {@code x ≈ s·(q' − z')}.
 */
final class DynamicQuantizer {
    private static final float MIN_SCALE = 1e-8f;

    private final int bits;
    private final float clip;
    private final boolean includeZero;
    private final float maxq;
    private final int offset;

    DynamicQuantizer(int bits, double clip, boolean includeZero) {
        this.bits = bits;
        this.clip = (float) clip;
        this.includeZero = includeZero;
        this.maxq = (1 << bits) - 1;
        this.offset = 1 << (bits - 1);
    }

    int bits() {
        return bits;
    }

    /**
     * Quantizes x[from .. from+n) into codes[codeFrom ..] (signed, one per byte); returns the scale
     * and stores the shifted zero point in zero[zeroIndex].
     */
    float quantize(float[] x, int from, int n, byte[] codes, int codeFrom, int[] zero, int zeroIndex) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < from + n; i++) {
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
        }
        if (includeZero) {
            min = Math.min(min, 0f);
            max = Math.max(max, 0f);
        }
        min *= clip;
        max *= clip;
        if (min == 0f && max == 0f) {
            min = -1f;
            max = 1f;
        }
        float scale = Math.max((max - min) / maxq, MIN_SCALE);
        float z = (float) Math.rint(-min / scale);
        for (int i = 0; i < n; i++) {
            float q = (float) Math.rint(x[from + i] / scale) + z;
            q = Math.min(Math.max(q, 0f), maxq);
            codes[codeFrom + i] = (byte) ((int) q - offset);
        }
        zero[zeroIndex] = (int) z - offset;
        return scale;
    }
}
