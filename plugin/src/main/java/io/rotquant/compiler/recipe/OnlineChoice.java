package io.rotquant.compiler.recipe;

import io.rotquant.compiler.InvalidInputException;
import java.util.Locale;

/**
 * {@code --online}: how DuaRot's online rotations (R3 per head, each Kronecker factor of R4) are
 * applied (ALGORITHMS.md §8.1, Eq. 11): {@code auto} trains a rotation as a dense matrix (matmul)
 * when its size is at most {@code --online-threshold} and keeps it a fixed Walsh–Hadamard transform
 * otherwise; {@code wht} and {@code matmul} force one choice for all.
 */
public enum OnlineChoice {
    AUTO, WHT, MATMUL;

    public static OnlineChoice parse(String value) {
        return switch (value) {
            case "auto" -> AUTO;
            case "wht" -> WHT;
            case "matmul" -> MATMUL;
            default -> throw new InvalidInputException("--online: '" + value + "' is not one of auto, wht, matmul");
        };
    }

    /** Whether an online rotation of size {@code n} is a trained matmul under this choice. */
    public boolean trains(int n, int threshold) {
        return this == MATMUL || (this == AUTO && n <= threshold);
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
