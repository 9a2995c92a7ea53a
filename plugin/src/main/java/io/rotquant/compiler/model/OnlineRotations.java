package io.rotquant.compiler.model;

/**
 * The rotations the forward pass applies to activations: R3 on every query and key head after
 * RoPE ([batch, heads, tokens, d_h]), R4 on the down_proj input. Null means not applied.
 */
public record OnlineRotations(OnlineRotation r3, OnlineRotation r4) {
    public static final OnlineRotations NONE = new OnlineRotations(null, null);

    /** The rotations as a forward pass with {@code quant} applies them: R3 only when K is quantized (specification.md §3.3). */
    public OnlineRotations appliedWith(QuantSettings quant) {
        return new OnlineRotations(quant.keys().active() ? r3 : null, r4);
    }
}
