package io.rotquant.compiler.model;

import org.bytedeco.pytorch.Tensor;

/**
 * A rotation of the last axis that the forward pass applies to activations (and, for R4, the
 * compile to down_proj's input side): a fixed Walsh–Hadamard transform, or trained dense matrices
 * that may differ per layer. Matrices are used in the dtype of {@code x}.
 */
@FunctionalInterface
public interface OnlineRotation {
    /** {@code x} rotated along its last axis as layer {@code layer} does it. */
    Tensor apply(int layer, Tensor x);
}
