package io.rotquant.compiler.recipe;

import static io.rotquant.compiler.recipe.RecipeParameter.ROTATION_VARIANT;

import io.rotquant.compiler.EnumFlags;

/** {@code --rotation-variant}: which factors of DuaRot's R1 = R_G·R_L are used (specification.md §8.1). */
public enum DualVariant {
    /** R_G·R_L, both trained (the method). */
    DUAL,
    /** R_G alone (the local factor ablated). */
    GLOBAL,
    /** R_L alone (the global factor ablated). */
    LOCAL;

    public static DualVariant parse(String value) {
        return EnumFlags.parse(ROTATION_VARIANT.named(), value, DualVariant.class);
    }

    public String label() {
        return EnumFlags.label(this);
    }
}
