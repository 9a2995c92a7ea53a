package io.rotquant.compiler.quant;

import io.rotquant.compiler.InvalidInputException;

/** Bit-width rules shared by every quantizer: 2..8 bits, or 16 meaning "not quantized". */
public final class Bits {
    public static final int NONE = 16;

    private Bits() {
    }

    /** Checks a {@code --x-bits} value and returns it. */
    public static int check(String flag, int bits) {
        if (bits != NONE && (bits < 2 || bits > 8)) {
            throw new InvalidInputException(flag + " must be 2..8, or 16 for no quantization; got " + bits);
        }
        return bits;
    }

    public static boolean quantized(int bits) {
        return bits != NONE;
    }

    /** Checks a clip ratio in (0, 1]. */
    public static double checkClip(String flag, double clip) {
        if (!(clip > 0 && clip <= 1)) {
            throw new InvalidInputException(flag + " must be in (0, 1], got " + clip);
        }
        return clip;
    }
}
