package io.rotquant.compiler.rotation;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The orthonormal Hadamard transform of size {@code n = K·2^p} on the last axis:
 * {@code T(x) = x·Mᵀ} with {@code M = (had_K ⊗ H_{2^p})/√n} (specification.md §4.3).
 *
 * <p>Fast form: a Sylvester matrix factors as {@code H_{2^p} = H_{b1} ⊗ H_{b2} ⊗ …}, so T is a
 * chain of small matmuls, one per Kronecker factor, each along its own axis of a
 * {@code [rows, K, b1, b2, …]} view: O(n·(K + Σ b)) work. With blocks of 2 this is exactly the
 * butterfly Walsh–Hadamard transform; the default blocks of up to {@value #DEFAULT_BLOCK} turn it
 * into a few GEMMs, which is what runs fastest on CPU LibTorch (libtorch.md).
 */
public final class HadamardTransform implements io.rotquant.compiler.model.OnlineRotation {
    /** The reference dispatch order (QuaRot's, with SpinQuant's 44), so factorizations match theirs. */
    private static final List<Integer> DISPATCH_ORDER = List.of(172, 156, 148, 140, 108, 76, 60, 52, 36, 28, 44, 40, 20, 12);
    private static final int DEFAULT_BLOCK = 128;

    private final int n;
    private final int k;
    private final int m;
    private final int[] sylvesterFactors;
    private final Map<String, List<Tensor>> factorTensors = new ConcurrentHashMap<>();

    private HadamardTransform(int n, int k, int block) {
        this.n = n;
        this.k = k;
        this.m = n / k;
        List<Integer> factors = new ArrayList<>();
        for (int rest = m; rest > 1; rest /= Math.min(rest, block)) {
            factors.add(Math.min(rest, block));
        }
        this.sylvesterFactors = factors.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The transform of size n, or a clear error naming {@code what} when n is not K·2^p for a supported K. */
    public static HadamardTransform ofSize(int n, String what) {
        return new HadamardTransform(n, factorOf(n, what), DEFAULT_BLOCK);
    }

    /** For the online rotation plan, e.g. {@code wht 1376 = 172·2^3}. */
    @Override
    public String toString() {
        return "wht " + n + (k > 1 ? " = " + k + "·2^" + Integer.numberOfTrailingZeros(m) : "");
    }

    /** The same transform computed with Sylvester factors of at most {@code block} (a power of two ≥ 2). */
    public HadamardTransform withBlock(int block) {
        if (block < 2 || !isPowerOfTwo(block)) {
            throw new IllegalArgumentException("block must be a power of two >= 2, got " + block);
        }
        return new HadamardTransform(n, k, block);
    }

    private static int factorOf(int n, String what) {
        for (int candidate : DISPATCH_ORDER) {
            if (n % candidate == 0 && isPowerOfTwo(n / candidate)) {
                return candidate;
            }
        }
        if (isPowerOfTwo(n)) {
            return 1;
        }
        throw new InvalidInputException(what + " = " + n + " has no Hadamard matrix here: it must be 2^p times one of 1, "
                + DISPATCH_ORDER.stream().sorted().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")));
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

    /** {@code M = (had_K ⊗ H_m)/√n} as a dense row-major array (the reference the fast form is tested against). */
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

    /** The same transform in every layer. */
    @Override
    public Tensor apply(int layer, Tensor x) {
        return apply(x);
    }

    /** {@code x·Mᵀ} along the last axis of x (any leading shape), in x's dtype and device. */
    public Tensor apply(Tensor x) {
        long[] shape = Tensors.shape(x);
        if (shape[shape.length - 1] != n) {
            throw new IllegalArgumentException("last axis is " + shape[shape.length - 1] + ", transform size is " + n);
        }
        List<Tensor> factors = factorTensors.computeIfAbsent(x.scalar_type() + "@" + x.device().str().getString(),
                key -> factorTensors(x.scalar_type(), x.device()));
        Tensor y = x.reshape(-1, n);
        long rows = y.size(0);
        long before = rows;
        long after = n;
        int index = 0;
        if (k > 1) {
            after /= k;
            y = factors.get(index++).matmul(y.view(before, k, after));
            before *= k;
        }
        for (int f : sylvesterFactors) {
            after /= f;
            Tensor factor = factors.get(index++);
            // y[..., j', ...] = Σ_j F[j'][j]·y[..., j, ...] on this axis; F is symmetric for Sylvester blocks.
            y = after == 1 ? y.reshape(before, f).matmul(factor) : factor.matmul(y.reshape(before, f, after));
            before *= f;
        }
        return y.mul(Tensors.scalar(1.0 / Math.sqrt(n))).view(shape);
    }

    /** had_K (if K > 1) then each Sylvester block, as tensors that live as long as this transform. */
    private List<Tensor> factorTensors(ScalarType dtype, Device device) {
        List<Tensor> out = new ArrayList<>();
        if (k > 1) {
            out.add(NativeScope.owned(() -> Tensors.matrix(toDouble(HadamardTables.of(k))).to(device, dtype)));
        }
        for (int f : sylvesterFactors) {
            out.add(NativeScope.owned(() -> Tensors.matrix(sylvester(f)).to(device, dtype)));
        }
        return out;
    }

    private static double[][] sylvester(int size) {
        double[][] h = new double[size][size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                h[i][j] = (Integer.bitCount(i & j) & 1) == 0 ? 1 : -1;
            }
        }
        return h;
    }

    private static double[][] toDouble(int[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = java.util.Arrays.stream(m[i]).asDoubleStream().toArray();
        }
        return out;
    }
}
