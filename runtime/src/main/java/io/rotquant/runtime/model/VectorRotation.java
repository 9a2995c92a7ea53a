package io.rotquant.runtime.model;

/**
 * An online rotation of vectors of {@link #size()} floats, applied in place to a column vector:
 * {@code y = M·x} (the artifact's convention, {@link io.rotquant.runtime.artifact.RotationPlan}).
 * Implementations hold no mutable state, so one instance serves every session and thread.
 */
public interface VectorRotation {
    /**
     * The largest power-of-two size at which this runtime's dense matmul is no slower than its
     * Walsh–Hadamard transform, measured with {@code rotquant bench-online} (site page
     * benchmarks.md, AVX2): at 64 the matmul takes 0.6–0.7 of the WHT's time at 1, 256 and 4096
     * tokens; from 128 on the WHT wins (1.1–1.5× at 128, 6× at 512, over 100× from 2048). A
     * compiler choosing matmul for this runtime (DuaRot's hardware-aware rule) uses it as the limit;
     * a size that is a Hadamard factor K alone (no power-of-two part) costs the same either way.
     */
    int MATMUL_CROSSOVER = 64;

    int size();

    /** Rotates {@code x[from .. from + size())} in place. */
    void apply(float[] x, int from);

    /**
     * The Walsh–Hadamard transform {@code (had_K ⊗ H_m)/√n} of size {@code n = K·2^m}:
     * {@code hadamard} holds the ±1 matrix had_K row-major (K² entries), or is null for K = 1.
     */
    static VectorRotation walshHadamard(int size, byte[] hadamard) {
        return walshHadamard(size, hadamard, Kernels.best());
    }

    /** The dense rotation {@code y = M·x}, {@code matrix} row-major (n² entries, copied). */
    static VectorRotation dense(int size, float[] matrix) {
        return new DenseRotation(size, matrix, 0, Kernels.best());
    }

    /** {@code A ⊗ B}, applied as {@code A·X·Bᵀ} on the vector viewed as an {@code a.size × b.size} matrix X. */
    static VectorRotation kronecker(VectorRotation a, VectorRotation b) {
        return new KroneckerRotation(a, b);
    }

    static VectorRotation walshHadamard(int size, byte[] hadamard, Kernels kernels) {
        int k = hadamard == null ? 1 : (int) Math.round(Math.sqrt(hadamard.length));
        if (k * k != (hadamard == null ? 1 : hadamard.length) || size % k != 0 || Integer.bitCount(size / k) != 1) {
            throw new IllegalArgumentException("a Walsh-Hadamard transform of size " + size + " with a factor of "
                    + (hadamard == null ? 1 : hadamard.length) + " entries is not K·2^m");
        }
        VectorRotation butterflies = new FastWalshHadamard(size / k, kernels);
        if (k == 1) {
            return butterflies;
        }
        float[] scaled = new float[k * k];
        float norm = (float) (1.0 / Math.sqrt(k));
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = hadamard[i] * norm;
        }
        DenseRotation mix = new DenseRotation(k, scaled, 0, kernels);
        return size == k ? mix : new KroneckerRotation(mix, butterflies);
    }
}
