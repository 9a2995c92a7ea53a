package io.rotquant.compiler.model;

import io.rotquant.compiler.rotation.HadamardTransform;

/**
 * The rotations the forward pass applies to activations: R3 on every query and key head after
 * RoPE, R4 on the down_proj input. Null means not applied.
 */
public record OnlineRotations(HadamardTransform r3, HadamardTransform r4) {
    public static final OnlineRotations NONE = new OnlineRotations(null, null);
}
