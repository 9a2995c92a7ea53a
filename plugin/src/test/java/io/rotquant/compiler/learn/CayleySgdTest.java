package io.rotquant.compiler.learn;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.rotation.RandomRotations;
import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class CayleySgdTest {
    private static double orthogonalityError(Tensor r) {
        Tensor gram = r.t().mm(r).sub(torch.eye(r.size(0)).to(ScalarType.Float));
        return gram.abs().max().item_double();
    }

    @Test
    void everyStepStaysOrthogonalAndTheLossToATargetRotationFalls() {
        try (PointerScope scope = new PointerScope()) {
            int n = 64;
            Tensor r = new RandomRotations(1).orthogonal(n, "start").to(ScalarType.Float);
            Tensor target = new RandomRotations(2).orthogonal(n, "target").to(ScalarType.Float);
            CayleySgd sgd = new CayleySgd(0.5, 200, 3);
            double first = 0;
            double last = 0;
            for (int t = 0; t < 200; t++) {
                // f(R) = ‖R − T‖², gradient 2(R − T), clipped to norm 1 as the training loop clips it.
                Tensor diff = r.sub(target);
                double loss = diff.pow(Tensors.scalar(2)).sum().item_double();
                if (t == 0) {
                    first = loss;
                }
                last = loss;
                Tensor gradient = diff.mul(Tensors.scalar(2));
                gradient = gradient.div(Tensors.scalar(Math.max(1.0, gradient.norm().item_double())));
                r = sgd.step(r, gradient, t);
                assertThat(orthogonalityError(r)).as("step %d", t).isLessThan(1e-5);
            }
            assertThat(last).isLessThan(0.5 * first);
        }
    }

    @Test
    void theScheduleIsCosineFromTheLearningRateToZero() {
        CayleySgd sgd = new CayleySgd(1.5, 100, 0);
        assertThat(sgd.learningRate(0)).isEqualTo(1.5);
        assertThat(sgd.learningRate(50)).isCloseTo(0.75, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(sgd.learningRate(100)).isCloseTo(0, org.assertj.core.api.Assertions.within(1e-12));
    }
}
