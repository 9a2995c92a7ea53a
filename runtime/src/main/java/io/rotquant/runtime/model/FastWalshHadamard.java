package io.rotquant.runtime.model;

/** The orthonormal Walsh–Hadamard transform {@code H_n/√n} of a power-of-two size, by in-place butterflies. */
final class FastWalshHadamard implements VectorRotation {
    private final int size;
    private final float scale;
    private final Kernels kernels;

    FastWalshHadamard(int size, Kernels kernels) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("Walsh-Hadamard size " + size + " is not a power of two");
        }
        this.size = size;
        this.scale = (float) (1.0 / Math.sqrt(size));
        this.kernels = kernels;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void apply(float[] x, int from) {
        int end = from + size;
        // Short strides in an inlined scalar loop (a kernel call per pair of runs measured 1.4x slower);
        // from 8 on, each pair of runs is one vector loop.
        int h = 1;
        for (; h < Math.min(size, 8); h <<= 1) {
            for (int i = from; i < end; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    float u = x[j];
                    float v = x[j + h];
                    x[j] = u + v;
                    x[j + h] = u - v;
                }
            }
        }
        for (; h < size; h <<= 1) {
            for (int i = from; i < end; i += h << 1) {
                kernels.butterfly(x, i, i + h, h);
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
