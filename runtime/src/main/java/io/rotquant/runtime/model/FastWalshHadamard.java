package io.rotquant.runtime.model;

/** The orthonormal Walsh–Hadamard transform {@code H_n/√n} of a power-of-two size, by in-place butterflies. */
final class FastWalshHadamard implements VectorRotation {
    private final int size;
    private final float scale;

    FastWalshHadamard(int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("Walsh-Hadamard size " + size + " is not a power of two");
        }
        this.size = size;
        this.scale = (float) (1.0 / Math.sqrt(size));
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void apply(float[] x, int from) {
        int end = from + size;
        for (int h = 1; h < size; h <<= 1) {
            for (int i = from; i < end; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    float u = x[j];
                    float v = x[j + h];
                    x[j] = u + v;
                    x[j + h] = u - v;
                }
            }
        }
        for (int i = from; i < end; i++) {
            x[i] *= scale;
        }
    }

    @Override
    public String toString() {
        return "wht " + size;
    }
}
