package io.rotquant.compiler.model;

import org.bytedeco.pytorch.Tensor;

/**
 * Sees the input of each linear group during a block's forward (after online rotations, before
 * activation quantization). Returning false stops the block there (its result is then null).
 */
@FunctionalInterface
public interface LinearInputObserver {
    LinearInputObserver NONE = (group, input) -> true;

    boolean observe(LinearGroup group, Tensor input);
}
