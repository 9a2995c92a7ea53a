package io.rotquant.runtime.model;

/** {@code y = M·x} with a dense n×n matrix (a trained online rotation): one dot product per output. */
final class DenseRotation implements VectorRotation {
    private final int size;
    private final float[] matrix;
    private final int offset;
    private final Kernels kernels;

    /** {@code matrix[offset ..]} holds M row-major; the array is shared, not copied. */
    DenseRotation(int size, float[] matrix, int offset, Kernels kernels) {
        if (size < 1 || offset < 0 || (long) offset + (long) size * size > matrix.length) {
            throw new IllegalArgumentException("a dense rotation of size " + size + " does not fit its matrix");
        }
        this.size = size;
        this.matrix = matrix;
        this.offset = offset;
        this.kernels = kernels;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void apply(float[] x, int from) {
        float[] y = new float[size];
        for (int i = 0; i < size; i++) {
            y[i] = kernels.dot(matrix, offset + i * size, x, from, size);
        }
        System.arraycopy(y, 0, x, from, size);
    }

    @Override
    public String toString() {
        return "matmul " + size;
    }
}
