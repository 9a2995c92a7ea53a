package io.rotquant.runtime.model;

/**
 * {@code (A ⊗ B)·x} without forming the product: with x viewed as an {@code a × b} matrix X
 * (row-major), the result is {@code A·X·Bᵀ}: B on every row, then A on every column.
 */
final class KroneckerRotation implements VectorRotation {
    /**
     * Rows at least this long, and at least as long as there are rows, are mixed by whole-row
     * multiply-adds (fewer, longer vector loops); otherwise column by column.
     */
    private static final int MIX_ROWS_FROM = 8;

    private final VectorRotation a;
    private final VectorRotation b;

    KroneckerRotation(VectorRotation a, VectorRotation b) {
        this.a = a;
        this.b = b;
    }

    @Override
    public int size() {
        return a.size() * b.size();
    }

    @Override
    public void apply(float[] x, int from) {
        int rows = a.size();
        int columns = b.size();
        for (int r = 0; r < rows; r++) {
            b.apply(x, from + r * columns);
        }
        if (a instanceof DenseRotation dense && columns >= MIX_ROWS_FROM && columns >= rows) {
            dense.mixRows(x, from, columns);
            return;
        }
        float[] column = new float[rows];
        for (int c = 0; c < columns; c++) {
            for (int r = 0; r < rows; r++) {
                column[r] = x[from + r * columns + c];
            }
            a.apply(column, 0);
            for (int r = 0; r < rows; r++) {
                x[from + r * columns + c] = column[r];
            }
        }
    }

    @Override
    public String toString() {
        return "kron(" + a + ", " + b + ")";
    }
}
