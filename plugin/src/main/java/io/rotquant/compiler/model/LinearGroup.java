package io.rotquant.compiler.model;

/**
 * The linears of a block grouped by the input they share, in forward order: q/k/v read the normed
 * residual, o_proj the attention output, gate/up the normed residual after attention, down_proj the
 * (R4-rotated) SwiGLU product.
 */
public enum LinearGroup {
    QKV, O, GATE_UP, DOWN
}
