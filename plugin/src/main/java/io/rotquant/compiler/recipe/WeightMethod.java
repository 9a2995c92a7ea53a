package io.rotquant.compiler.recipe;

import static io.rotquant.compiler.recipe.RecipeParameter.W_METHOD;

import io.rotquant.compiler.EnumFlags;

/** {@code --w-method}: round-to-nearest with the clip search, or GPTQ. */
public enum WeightMethod {
    RTN, GPTQ;

    public static WeightMethod parse(String value) {
        return EnumFlags.parse(W_METHOD.named(), value, WeightMethod.class);
    }

    public String label() {
        return EnumFlags.label(this);
    }
}
