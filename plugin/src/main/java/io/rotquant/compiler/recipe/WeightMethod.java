package io.rotquant.compiler.recipe;

import io.rotquant.compiler.InvalidInputException;
import java.util.Locale;

/** {@code --w-method}: round-to-nearest with the clip search, or GPTQ. */
public enum WeightMethod {
    RTN, GPTQ;

    public static WeightMethod parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--w-method: '" + value + "' is not one of rtn, gptq");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
