package io.rotquant.compiler.recipe;

import static io.rotquant.compiler.recipe.RecipeParameter.INIT;

import io.rotquant.compiler.EnumFlags;

/**
 * {@code --init}: the starting point of DuaRot's trained R1 factor (specification.md §8.1; the paper's is
 * hadamard); {@code dfrot} starts it at DFRot's refined R1.
 */
public enum RotationInit {
    HADAMARD, IDENTITY, ORTHOGONAL, DFROT;

    public static RotationInit parse(String value) {
        return EnumFlags.parse(INIT.named(), value, RotationInit.class);
    }

    public String label() {
        return EnumFlags.label(this);
    }
}
