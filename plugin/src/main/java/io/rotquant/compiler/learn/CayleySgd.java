package io.rotquant.compiler.learn;

import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * SGD on the orthogonal group by the Cayley transform (specification.md §7.4, SpinQuant's SGDG with
 * momentum 0): rows re-normalised, an occasional QR re-orthogonalisation (probability 1/101, drawn
 * from the recipe's seed), the skew-symmetric direction {@code W = Ŵ − Ŵᵀ} with
 * {@code Ŵ = MX − ½·Xᵀ(X·MX)}, {@code M = −Gᵀ}, step {@code α = min(lr_t, 1/(‖W‖₁ + 1e-8))} and five
 * fixed-point iterations of the Cayley retraction. Cosine schedule {@code lr_t = lr·½(1 + cos(πt/T))}.
 */
public final class CayleySgd {
    private static final int FIXED_POINT_ITERATIONS = 5;
    private static final int QR_ONE_IN = 101;

    private final double learningRate;
    private final int totalSteps;
    private final SplittableRandom random;

    public CayleySgd(double learningRate, int totalSteps, long seed) {
        if (!(learningRate > 0) || totalSteps < 1) {
            throw new IllegalArgumentException("learning rate must be positive and steps at least 1");
        }
        this.learningRate = learningRate;
        this.totalSteps = totalSteps;
        this.random = new SplittableRandom(seed);
    }

    /** The cosine-scheduled learning rate of step t (0-based). */
    public double learningRate(int t) {
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * t / totalSteps));
    }

    /** The parameter after step t with (already clipped) gradient g; p is n×n fp32. Result in the caller's scope. */
    public Tensor step(Tensor p, Tensor g, int t) {
        boolean retract = random.nextInt(QR_ONE_IN) == 0;
        double lr = learningRate(t);
        return NativeScope.keep(() -> {
            Tensor x = p.div(p.pow(Tensors.scalar(2)).sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                    .sqrt().add(Tensors.scalar(1e-8)));
            if (retract) {
                T_TensorTensor_T qr = torch.linalg_qr(x.t());
                Tensor q = qr.get0().mul(torch.diagonal(qr.get1(), 0, 0, 1).sign().unsqueeze(0));
                x = q.t();
            }
            Tensor v = g.t().neg();
            Tensor mx = v.mm(x);
            Tensor xxmx = x.t().mm(x.mm(mx));
            Tensor half = mx.sub(xxmx.mul(Tensors.scalar(0.5)));
            Tensor w = half.sub(half.t());
            double norm = w.abs().sum(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).max()
                    .item_double();
            double alpha = Math.min(lr, 1.0 / (norm + 1e-8));
            Tensor xt = x.t();
            Tensor y = xt.add(v.mul(Tensors.scalar(alpha)));
            for (int i = 0; i < FIXED_POINT_ITERATIONS; i++) {
                y = xt.add(w.mm(xt.add(y).mul(Tensors.scalar(0.5))).mul(Tensors.scalar(alpha)));
            }
            return y.t().contiguous();
        });
    }
}
