package io.rotquant.compiler.model;

/**
 * The linears of a block grouped by the input they share, in forward order: q/k/v read the normed
 * residual, o_proj the attention output, gate/up the normed residual after attention, down_proj the
 * (R4-rotated) SwiGLU product.
 */
public enum LinearGroup {
    QKV(3), O(1), GATE_UP(2), DOWN(1);

    private final int count;

    LinearGroup(int count) {
        this.count = count;
    }

    /** How many linears share this input. */
    public int count() {
        return count;
    }
}
