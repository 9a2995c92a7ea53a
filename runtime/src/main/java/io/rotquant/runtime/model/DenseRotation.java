package io.rotquant.runtime.model;

/**
 * {@code y = M·x} with a dense n×n matrix (a trained online rotation). M is packed at load into the
 * kernels' panel layout ({@link Kernels#panelsTimes}): a panel's rows accumulate in registers while
 * its columns are read in order, with no horizontal reductions.
 */
final class DenseRotation implements VectorRotation {
    private final int size;
    private final int panelRows;
    private final int panels;
    private final float[] packed;
    private final Kernels kernels;

    /** M is {@code matrix[offset ..]}, row-major. */
    DenseRotation(int size, float[] matrix, int offset, Kernels kernels) {
        if (size < 1 || offset < 0 || (long) offset + (long) size * size > matrix.length) {
            throw new IllegalArgumentException("a dense rotation of size " + size + " does not fit its matrix");
        }
        this.size = size;
        this.panelRows = kernels.panelRows();
        this.panels = (size + panelRows - 1) / panelRows;
        this.packed = new float[panels * panelRows * size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                packed[index(i, j)] = matrix[offset + i * size + j];
            }
        }
        this.kernels = kernels;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void apply(float[] x, int from) {
        float[] y = new float[panels * panelRows];
        kernels.panelsTimes(packed, size, panels, x, from, y);
        System.arraycopy(y, 0, x, from, size);
    }

    /** Where M[row][column] lies in the panel layout. */
    private int index(int row, int column) {
        return ((row / panelRows) * size + column) * panelRows + row % panelRows;
    }

    /**
     * {@code (M ⊗ I)·x} for x viewed as {@code size} rows of {@code rowLength}: row r of the result is
     * Σ_c M[r][c]·row c, one vector multiply-add per pair (the Kronecker product's left factor).
     */
    void mixRows(float[] x, int from, int rowLength) {
        float[] y = new float[size * rowLength];
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                kernels.axpy(packed[index(r, c)], x, from + c * rowLength, y, r * rowLength, rowLength);
            }
        }
        System.arraycopy(y, 0, x, from, y.length);
    }

    @Override
    public String toString() {
        return "matmul " + size;
    }
}
