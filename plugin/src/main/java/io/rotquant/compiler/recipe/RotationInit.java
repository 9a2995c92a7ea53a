package io.rotquant.compiler.recipe;

import io.rotquant.compiler.InvalidInputException;
import java.util.Locale;

/** {@code --init}: the starting point of DuaRot's trained R1 factor (ALGORITHMS.md §8.1; the paper's is hadamard). */
public enum RotationInit {
    HADAMARD, IDENTITY, ORTHOGONAL;

    public static RotationInit parse(String value) {
        return switch (value) {
            case "hadamard" -> HADAMARD;
            case "identity" -> IDENTITY;
            case "orthogonal" -> ORTHOGONAL;
            default -> throw new InvalidInputException("--init: '" + value + "' is not one of hadamard, identity, orthogonal");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
