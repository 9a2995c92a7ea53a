package io.rotquant.compiler.rotation;

import io.rotquant.compiler.model.OnlineRotation;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * R4 = A ⊗ B per layer (A: K×K, B: m×m, n = K·m), applied without forming the n×n product:
 * with {@code x} viewed as a K×m matrix X, {@code x·(A⊗B) = Aᵀ·X·B} (specification.md §8.1). Started
 * at {@code A = had_Kᵀ/√K}, {@code B = H_m/√m} it equals the fixed Walsh–Hadamard R4.
 */
public final class KroneckerRotations implements OnlineRotation {
    private final List<Tensor> a;
    private final List<Tensor> b;
    private final boolean trainedA;
    private final boolean trainedB;

    /**
     * Per-layer factors; an untrained one is the fixed Walsh–Hadamard start (had_Kᵀ/√K for A,
     * H_m/√m for B), which the runtime applies as a WHT rather than a matmul.
     */
    public KroneckerRotations(List<Tensor> a, List<Tensor> b, boolean trainedA, boolean trainedB) {
        this.a = a;
        this.b = b;
        this.trainedA = trainedA;
        this.trainedB = trainedB;
    }

    /** Layer {@code layer}'s A factor (K×K). */
    public Tensor a(int layer) {
        return a.get(layer);
    }

    /** Layer {@code layer}'s B factor (m×m). */
    public Tensor b(int layer) {
        return b.get(layer);
    }

    public boolean trainedA() {
        return trainedA;
    }

    public boolean trainedB() {
        return trainedB;
    }

    @Override
    public Tensor apply(int layer, Tensor x) {
        Tensor left = a.get(layer).to(x.scalar_type());
        Tensor right = b.get(layer).to(x.scalar_type());
        long[] shape = x.sizes().vec().get();
        long[] matrix = java.util.Arrays.copyOf(shape, shape.length + 1);
        matrix[shape.length - 1] = left.size(0);
        matrix[shape.length] = right.size(0);
        return left.t().matmul(x.reshape(matrix)).matmul(right).reshape(shape);
    }

    @Override
    public String toString() {
        return "kron(" + factor(a, trainedA) + ", " + factor(b, trainedB) + ") per layer";
    }

    private static String factor(List<Tensor> factors, boolean trained) {
        return (trained ? "matmul " : "wht ") + factors.get(0).size(0) + (trained ? " trained" : " fixed");
    }
}
