package io.rotquant.compiler.quant;

import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_DAMP;

import io.rotquant.compiler.InvalidInputException;

/**
 * GPTQ knobs (specification.md §6.3): column block size, dampening as a fraction of the mean Hessian
 * diagonal, act-order (columns by decreasing Hessian diagonal) and static groups (group scales
 * fixed from the unquantized weight).
 */
public record GptqOptions(int blockSize, double damp, boolean actOrder, boolean staticGroups) {
    /** The reference's column block: a fixed part of the algorithm, not a recipe setting. */
    public static final int BLOCK_SIZE = 128;

    public GptqOptions {
        if (blockSize < 1) {
            throw new InvalidInputException("GPTQ block size must be positive, got " + blockSize);
        }
        if (!(damp > 0 && damp < 1)) {
            throw new InvalidInputException(GPTQ_DAMP.named() + " must be in (0, 1), got " + damp);
        }
    }
}
