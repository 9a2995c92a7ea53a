package io.rotquant.compiler.recipe;

import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_MEMORY;

import io.rotquant.compiler.EnumFlags;

/**
 * {@code --train-memory}: what a training step of SpinQuant or DuaRot holds (specification.md §7.2).
 * {@code all}: every layer's rotated, fake-quantized weights and their gradients, through the step
 * (the fastest). {@code layer}: one layer's at a time, each layer's input kept for the step's windows
 * and its forward run again in the backward, for a card too small for {@code all} (at the 8B shape
 * {@code all} needs about 135 GB). The gradients are the same up to the order of their sums.
 */
public enum TrainMemory {
    ALL, LAYER;

    public static TrainMemory parse(String value) {
        return EnumFlags.parse(TRAIN_MEMORY.named(), value, TrainMemory.class);
    }

    public String label() {
        return EnumFlags.label(this);
    }
}
