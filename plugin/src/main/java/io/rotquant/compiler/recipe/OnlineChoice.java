package io.rotquant.compiler.recipe;

import static io.rotquant.compiler.recipe.RecipeParameter.ONLINE;

import io.rotquant.compiler.EnumFlags;
import io.rotquant.compiler.rotation.HadamardTables;

/**
 * {@code --online}: how DuaRot's online rotations (R3 per head, each Kronecker factor of R4) are
 * applied (specification.md §8.1, Eq. 11): {@code auto} trains a rotation as a dense matrix (matmul)
 * when its size is at most {@code --online-threshold}, or when the size is a Hadamard factor K on its
 * own (its WHT is then a dense K×K product, so the matmul costs the same), and keeps it a fixed
 * Walsh–Hadamard transform otherwise; {@code wht} and {@code matmul} force one choice for all.
 */
public enum OnlineChoice {
    AUTO, WHT, MATMUL;

    public static OnlineChoice parse(String value) {
        return EnumFlags.parse(ONLINE.named(), value, OnlineChoice.class);
    }

    public String label() {
        return EnumFlags.label(this);
    }

    /** Whether an online rotation of size {@code n} is a trained matmul under this choice. */
    public boolean trains(int n, int threshold) {
        return this == MATMUL || (this == AUTO && (n <= threshold || HadamardTables.ORDERS.contains(n)));
    }
}
