package io.rotquant.compiler.learn;

import io.rotquant.compiler.Cancellation;
import io.rotquant.compiler.distributed.RankGroup;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.compiler.torch.Torch;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.StringViewOptional;
import org.bytedeco.pytorch.T_TensorTensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * DFRot's refinement of R1 (specification.md §9.3, §9.4): alternate between quantizing the rotated
 * activations with the current rotation (a fixed target) and the orthogonal Procrustes solve that
 * best maps the activations onto that target, with massive-activation tokens weighted by α.
 * The quantizer is 4-bit symmetric per token (max-abs, clip 1.0); because it is positively
 * homogeneous, scaling a row by α weights its squared error by α².
 *
 * <p>All algebra in float64 (activations are at most a few tens of thousands of rows × d).
 */
public final class WeightedProcrustes {
    private static final int BITS = 4;
    /** The reference accepts a step unless it raises ‖Y − Q(Y)‖_F by more than this margin (in practice always). */
    private static final double ACCEPT_MARGIN = 100 - 0.1;

    private WeightedProcrustes() {
    }

    /** 4-bit symmetric per-row fake quantization (specification.md §9.3's Q_4). */
    public static Tensor quantize(Tensor x) {
        return NativeScope.keep(() -> {
            double maxq = (1 << (BITS - 1)) - 1;
            Tensor scale = x.abs().amax(new long[] {-1}, true).div(Tensors.scalar(maxq)).clamp_min(Tensors.scalar(1e-12));
            return x.div(scale).round().clamp(new ScalarOptional(Tensors.scalar(-(maxq + 1))),
                    new ScalarOptional(Tensors.scalar(maxq))).mul(scale);
        });
    }

    /** Per-row quantization error ‖x_t − Q_4(x_t)‖₂. */
    public static Tensor rowErrors(Tensor x) {
        return NativeScope.keep(() -> x.sub(quantize(x)).pow(Tensors.scalar(2))
                .sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).sqrt());
    }

    /**
     * Tokens that lose more to a random orthogonal rotation than they have unrotated, the
     * scale-free criterion of §9.3 (a boolean mask over the rows of {@code activations}).
     */
    public static Tensor massiveTokens(Tensor activations, Tensor randomOrthogonal) {
        return NativeScope.keep(() -> rowErrors(activations.matmul(randomOrthogonal.to(activations.device(),
                activations.scalar_type()))).ge(rowErrors(activations)));
    }

    /** Row weights: α on the massive tokens, 1 elsewhere ([rows, 1], float64). */
    public static Tensor rowWeights(Tensor massive, double alpha) {
        return NativeScope.keep(() -> massive.to(ScalarType.Double).mul(Tensors.scalar(alpha - 1)).add(Tensors.scalar(1))
                .unsqueeze(1));
    }

    /** The objective Σ_t w_t² ‖x_t R − Q_4(x_t R)‖² of the weighted rows {@code weighted} = diag(w)·A. */
    public static double loss(Tensor weighted, Tensor rotation) {
        try (var scope = new org.bytedeco.javacpp.PointerScope()) {
            Tensor y = weighted.matmul(rotation);
            return y.sub(quantize(y)).pow(Tensors.scalar(2)).sum().item_double();
        }
    }

    /** The result: R1 = start · refinement, and the objective before the first and after the last step. */
    public record Result(Tensor rotation, double initialLoss, double finalLoss) {
    }

    /**
     * {@code steps} alternations from {@code start} (a d×d orthogonal matrix) on the activation rows
     * {@code activations} weighted by {@code weights}. Tensors in the caller's scope.
     */
    public static Result refine(Tensor activations, Tensor weights, Tensor start, int steps) {
        // Everything on the activations' device: the start rotation is made on the CPU from the seed.
        Tensor from = start.to(activations.device(), ScalarType.Double);
        // The objective and Yᵀ Q(Y) are sums over rows: in a job of several ranks each takes a
        // contiguous run of the rows and the sums are joined, so every rank makes the same steps.
        RankGroup ranks = RankGroup.current();
        long rows = activations.size(0);
        long first = ranks.firstRow(rows, ranks.rank());
        long count = ranks.rowCount(rows, ranks.rank());
        Tensor weighted = activations.narrow(0, first, count).to(ScalarType.Double).matmul(from)
                .mul(weights.narrow(0, first, count));
        long d = start.size(0);
        Tensor r = NativeScope.owned(() -> torch.eye(d).to(activations.device(), ScalarType.Double));
        double initial = ranks.sum(loss(weighted, r));
        double current = initial;
        for (int i = 0; i < steps; i++) {
            Cancellation.checkpoint();
            Tensor now = r;
            double[] candidate = new double[1];
            Tensor next = NativeScope.owned(() -> {
                Tensor y = weighted.matmul(now);
                // argmin over orthogonal P of ‖Y P − Q(Y)‖: P = U Vᵀ from the SVD of Yᵀ Q(Y), re-orthonormalised.
                Tensor cross = y.t().matmul(quantize(y));
                ranks.allReduceSum(cross);
                Tensor p = Torch.oneBlasThread(() -> {
                    T_TensorTensorTensor_T svd = torch.linalg_svd(cross, true, new StringViewOptional());
                    return torch.linalg_qr(svd.get0().matmul(svd.get2())).get0();
                });
                candidate[0] = ranks.sum(loss(y, p));
                return Torch.oneBlasThread(() -> torch.linalg_qr(now.matmul(p)).get0().clone());
            });
            if (Math.sqrt(candidate[0]) <= Math.sqrt(current) + ACCEPT_MARGIN) {
                r.releaseReference();
                r = next;
                current = candidate[0];
            } else {
                next.releaseReference();
            }
        }
        Tensor rotation = from.matmul(r);
        r.releaseReference();
        return new Result(rotation, initial, current);
    }
}
