package io.rotquant.compiler.rotation;

import io.rotquant.compiler.torch.Tensors;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Seeded float64 rotation matrices (CPU). Each matrix draws from its own stream derived from the
 * seed and a purpose label ("R1", "R2/layer 3", ...), so a matrix does not depend on which other
 * matrices were drawn before it.
 */
public final class RandomRotations {
    private final long seed;

    public RandomRotations(long seed) {
        this.seed = seed;
    }

    private SplittableRandom stream(String purpose) {
        long h = seed;
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return new SplittableRandom(h);
    }

    /** {@code R = diag(s)·Mᵀ} with uniform random signs s (the references' randomized Hadamard). */
    public Tensor randomizedHadamard(int n, String purpose, String what) {
        SplittableRandom random = stream(purpose);
        double[] signs = new double[n];
        for (int i = 0; i < n; i++) {
            signs[i] = random.nextBoolean() ? 1.0 : -1.0;
        }
        return HadamardTransform.ofSize(n, what).apply(torch.diag(Tensors.doubles(signs, n)));
    }

    /** A Haar-random orthogonal matrix: QR of a Gaussian matrix with the signs of diag(R) fixed. */
    public Tensor orthogonal(int n, String purpose) {
        SplittableRandom random = stream(purpose);
        double[] gaussian = new double[n * n];
        for (int i = 0; i < gaussian.length; i++) {
            gaussian[i] = random.nextGaussian();
        }
        T_TensorTensor_T qr = torch.linalg_qr(Tensors.doubles(gaussian, n, n));
        Tensor q = qr.get0();
        Tensor r = qr.get1();
        return q.mul(torch.sign(torch.diagonal(r, 0, 0, 1)).unsqueeze(0));
    }

    public static Tensor identity(int n) {
        return torch.eye(n).to(org.bytedeco.pytorch.global.torch.ScalarType.Double);
    }
}
