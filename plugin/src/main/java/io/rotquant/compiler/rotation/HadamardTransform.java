package io.rotquant.compiler.rotation;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.torch.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The orthonormal Hadamard transform of size {@code n = K·2^p} on the last axis:
 * {@code T(x) = x·Mᵀ} with {@code M = (had_K ⊗ H_{2^p})/√n} (ALGORITHMS.md §4.3). Applied as a
 * butterfly Walsh–Hadamard transform over the {@code 2^p} axis followed by one small matmul with
 * {@code had_K}: O(n·(p + K)) instead of the dense O(n²).
 */
public final class HadamardTransform {
    /** The reference dispatch order (QuaRot's, with SpinQuant's 44), so factorizations match theirs. */
    private static final List<Integer> DISPATCH_ORDER = List.of(172, 156, 140, 108, 60, 52, 36, 28, 44, 40, 20, 12);

    private final int n;
    private final int k;
    private final int m;

    private HadamardTransform(int n, int k, int m) {
        this.n = n;
        this.k = k;
        this.m = m;
    }

    /** The transform of size n, or a clear error when n is not K·2^p for a supported K. */
    public static HadamardTransform ofSize(int n, String what) {
        for (int candidate : DISPATCH_ORDER) {
            if (n % candidate == 0 && isPowerOfTwo(n / candidate)) {
                return new HadamardTransform(n, candidate, n / candidate);
            }
        }
        if (isPowerOfTwo(n)) {
            return new HadamardTransform(n, 1, n);
        }
        throw new InvalidInputException(what + " = " + n + " has no Hadamard matrix here: it must be 2^p times one of "
                + "1, " + DISPATCH_ORDER);
    }

    private static boolean isPowerOfTwo(int v) {
        return v > 0 && (v & (v - 1)) == 0;
    }

    public int size() {
        return n;
    }

    /** The non-power-of-two factor K (1 for powers of two). */
    public int factor() {
        return k;
    }

    /** {@code M = (had_K ⊗ H_m)/√n} as a dense row-major array (reference and tests). */
    public double[][] matrix() {
        int[][] had = HadamardTables.of(k);
        double scale = 1.0 / Math.sqrt(n);
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int sylvester = (Integer.bitCount((i % m) & (j % m)) & 1) == 0 ? 1 : -1;
                out[i][j] = had[i / m][j / m] * sylvester * scale;
            }
        }
        return out;
    }

    /** {@code x·Mᵀ} along the last axis of x (any leading shape), in x's dtype and device. */
    public Tensor apply(Tensor x) {
        long[] shape = Tensors.shape(x);
        if (shape[shape.length - 1] != n) {
            throw new IllegalArgumentException("last axis is " + shape[shape.length - 1] + ", transform size is " + n);
        }
        Tensor y = x.reshape(-1, k, m);
        for (long h = 1; h < m; h *= 2) {
            Tensor pairs = y.view(-1, k, m / (2 * h), 2, h);
            Tensor lo = pairs.select(3, 0);
            Tensor hi = pairs.select(3, 1);
            y = torch.stack(new TensorVector(lo.add(hi), lo.sub(hi)), 3).view(-1, k, m);
        }
        double scale = 1.0 / Math.sqrt(n);
        if (k == 1) {
            return y.mul(Tensors.scalar(scale)).view(shape);
        }
        return factorMatrix(x.scalar_type(), x.device()).matmul(y).mul(Tensors.scalar(scale)).view(shape);
    }

    private Tensor factorMatrix(ScalarType dtype, Device device) {
        int[][] had = HadamardTables.of(k);
        double[] flat = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                flat[i * k + j] = had[i][j];
            }
        }
        return Tensors.doubles(flat, k, k).to(device, dtype);
    }
}
