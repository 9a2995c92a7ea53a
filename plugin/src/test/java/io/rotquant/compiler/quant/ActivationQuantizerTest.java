package io.rotquant.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class ActivationQuantizerTest {

    private static double[] quantize(ActivationQuantizer q, double[] values, long... shape) {
        try (PointerScope scope = new PointerScope()) {
            return Tensors.toDoubles(q.apply(Tensors.doubles(values, shape).to(ScalarType.Float)));
        }
    }

    @Test
    void asymmetricPerTokenHandComputed() {
        // range [-1, 2.75]: scale 0.25, zero point 4; 0.125 is a tie and rounds to even (0).
        assertThat(quantize(new ActivationQuantizer(4, 1.0, true), new double[] {-1, 0.25, 2.75, -1, 0.125, 2.75}, 2, 3))
                .containsExactly(-1, 0.25, 2.75, -1, 0, 2.75);
    }

    @Test
    void clipRatioShrinksTheRangeAndSaturates() {
        // clip 0.5: range [-0.5, 1.375], scale 0.125, zero 4; the ends saturate.
        assertThat(quantize(new ActivationQuantizer(4, 0.5, true), new double[] {-1, 0.125, 2.75}, 1, 3))
                .containsExactly(-0.5, 0.125, 1.375);
    }

    @Test
    void zeroIsForcedIntoTheRangeOnlyWhenAsked() {
        // All positive. Without forcing: range [2, 5], scale 1, zero point -2 (3.5 ties to 4), exact.
        double[] x = {2, 3, 3.5, 5};
        assertThat(quantize(new ActivationQuantizer(2, 1.0, false), x, 1, 4)).containsExactly(2, 3, 4, 5);
        // Forced: range [0, 5], scale 5/3, so 2 lands on 5/3.
        double[] forced = quantize(new ActivationQuantizer(2, 1.0, true), x, 1, 4);
        assertThat(forced[0]).isCloseTo(5.0 / 3, within(1e-6));
        assertThat(forced[3]).isCloseTo(5.0, within(1e-6));
    }

    @Test
    void constantGroupDoesNotDivideByZero() {
        double[] out = quantize(new ActivationQuantizer(4, 1.0, false), new double[] {1.5, 1.5, 1.5}, 1, 3);
        for (double v : out) {
            assertThat(v).isCloseTo(1.5, within(1e-5));
        }
    }

    @Test
    void allZeroTokenStaysZero() {
        assertThat(quantize(new ActivationQuantizer(4, 1.0, true), new double[] {0, 0, 0}, 1, 3)).containsExactly(0, 0, 0);
    }

    @Test
    void sixteenBitsIsTheIdentity() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.doubles(new double[] {0.1, -3, 7}, 1, 3).to(ScalarType.Float);
            assertThat(new ActivationQuantizer(16, 1.0, true).apply(x)).isSameAs(x);
        }
    }
}
