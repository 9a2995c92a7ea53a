package io.rotquant.compiler.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rotquant.compiler.rotation.RandomRotations;
import io.rotquant.compiler.torch.OpenBlasPools;
import io.rotquant.compiler.torch.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.StringViewOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** DFRot's alternating weighted Procrustes on activations with planted massive tokens (specification.md §9.4). */
class WeightedProcrustesTest {
    private static final int D = 64;
    private static final int ROWS = 512;
    private static final int MASSIVE = 16;

    /**
     * Rows normalised to ‖x‖ = √d like fused-norm block inputs: ordinary rows are Gaussian with four
     * outlier channels; the first {@link #MASSIVE} rows put almost all their energy in one channel.
     */
    private static Tensor activations() {
        return activations(D);
    }

    private static Tensor activations(int d) {
        SplittableRandom random = new SplittableRandom(7);
        double[] values = new double[ROWS * d];
        for (int t = 0; t < ROWS; t++) {
            for (int c = 0; c < d; c++) {
                double v = random.nextGaussian() * (t < MASSIVE ? 0.01 : 1);
                if (t < MASSIVE && c == 3) {
                    v += 100;
                } else if (t >= MASSIVE && c % 16 == 5) {
                    v *= 20;
                }
                values[t * d + c] = v;
            }
        }
        Tensor a = Tensors.doubles(values, ROWS, d);
        return a.mul(Tensors.scalar(Math.sqrt(d))).div(a.pow(Tensors.scalar(2)).sum(new long[] {1}, true,
                new org.bytedeco.pytorch.ScalarTypeOptional()).sqrt());
    }

    @Test
    void massiveTokensAreTheOnesARandomRotationHurts() {
        try (PointerScope scope = new PointerScope()) {
            Tensor massive = WeightedProcrustes.massiveTokens(activations(), new RandomRotations(1).orthogonal(D, "test"));
            assertThat(massive.narrow(0, 0, MASSIVE).all().item_bool()).isTrue();
            long ordinaryFlagged = massive.narrow(0, MASSIVE, ROWS - MASSIVE).sum().item_long();
            assertThat(ordinaryFlagged).isLessThan((ROWS - MASSIVE) / 10);
        }
    }

    @Test
    void scalingARowByAlphaWeightsItsSquaredErrorByAlphaSquared() {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = activations();
            Tensor r = new RandomRotations(2).orthogonal(D, "test");
            Tensor massive = torch.zeros(ROWS).to(ScalarType.Bool);
            massive.narrow(0, 0, MASSIVE).fill_(Tensors.scalar(1));
            Tensor weights = WeightedProcrustes.rowWeights(massive, 10);
            double scaled = WeightedProcrustes.loss(a.mul(weights), r);
            Tensor errors = WeightedProcrustes.rowErrors(a.matmul(r)).pow(Tensors.scalar(2));
            double weightedSum = errors.narrow(0, 0, MASSIVE).sum().item_double() * 100
                    + errors.narrow(0, MASSIVE, ROWS - MASSIVE).sum().item_double();
            assertThat(scaled).isCloseTo(weightedSum, within(1e-9 * weightedSum));
        }
    }

    @Test
    void alternationsLowerTheWeightedLossFromTheHadamardStartAndStayOrthogonal() {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = activations();
            Tensor massive = WeightedProcrustes.massiveTokens(a, new RandomRotations(1).orthogonal(D, "test"));
            Tensor start = new RandomRotations(3).randomizedHadamard(D, "R1", "d");
            WeightedProcrustes.Result result = WeightedProcrustes.refine(a, WeightedProcrustes.rowWeights(massive, 100),
                    start, 100);
            assertThat(result.finalLoss()).isLessThan(result.initialLoss());
            double recomputed = WeightedProcrustes.loss(a.mul(WeightedProcrustes.rowWeights(massive, 100)), result.rotation());
            assertThat(recomputed).isCloseTo(result.finalLoss(), within(1e-6 * recomputed));
            Tensor r = result.rotation();
            double orthogonality = r.t().mm(r).sub(torch.eye(D).to(ScalarType.Double)).abs().max().item_double();
            assertThat(orthogonality).isLessThan(1e-10);
        }
    }

    /** One Procrustes step's factorizations as LibTorch does them with whatever OpenBLAS pool it has. */
    private static Tensor unguardedStep(Tensor y) {
        var svd = torch.linalg_svd(y.t().matmul(WeightedProcrustes.quantize(y)), true, new StringViewOptional());
        return torch.linalg_qr(torch.linalg_qr(svd.get0().matmul(svd.get2())).get0()).get0();
    }

    /**
     * A Procrustes step's factorizations (SVD, QR) at 512 columns round differently on one OpenBLAS
     * thread and on two, and a DuaRot training started from DFRot's R1 amplified that into other
     * artifact bytes; the refinement must not depend on the pool's size.
     */
    @Test
    void theRefinementIsTheSameWhateverOpenBlasThreadCount() {
        try (PointerScope scope = new PointerScope()) {
            int d = 512;
            Tensor a = activations(d);
            Tensor weights = WeightedProcrustes.rowWeights(WeightedProcrustes.massiveTokens(a,
                    new RandomRotations(1).orthogonal(d, "test")), 100);
            Tensor start = new RandomRotations(3).randomizedHadamard(d, "R1", "d");
            OpenBlasPools.assertSameBitsOnOneAndTwoThreads(() -> unguardedStep(a.matmul(start).mul(weights)),
                    () -> WeightedProcrustes.refine(a, weights, start, 3).rotation());
        }
    }
}
