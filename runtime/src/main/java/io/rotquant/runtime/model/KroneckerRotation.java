package io.rotquant.runtime.model;

/**
 * {@code (A ⊗ B)·x} without forming the product: with x viewed as an {@code a × b} matrix X
 * (row-major), the result is {@code A·X·Bᵀ}: B on every row, then A on every column.
 */
final class KroneckerRotation implements VectorRotation {
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
