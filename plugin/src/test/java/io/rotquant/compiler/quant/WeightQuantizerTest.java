package io.rotquant.compiler.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class WeightQuantizerTest {

    private static Tensor floats(double[] values, long... shape) {
        return Tensors.doubles(values, shape).to(ScalarType.Float);
    }

    @Test
    void symmetricRoundsHalfToEvenOnTheMaxAbsGrid() {
        try (PointerScope scope = new PointerScope()) {
            // maxAbs 7, 4 bits: scale 1, codes [-8, 7].
            Tensor w = floats(new double[] {3.5, -7, 1.25, 0, 2.5, -7, 0.5, 6.5}, 2, 4);
            double[] q = Tensors.toDoubles(new WeightQuantizer(4, 0, false).fakeQuantize(w));
            assertThat(q).containsExactly(4, -7, 1, 0, 2, -7, 0, 6);
        }
    }

    @Test
    void quantizeGivesInt8CodesAndOneScalePerGroup() {
        try (PointerScope scope = new PointerScope()) {
            // Row 0: maxAbs 7, scale 1: codes rint(3.5)=4, rint(-2.5)=-2, rint(0.5)=0 (half to even), 7.
            // Row 1 in groups of 2: [7, -3.5] → scale 1: 7, -4; [1.75, 0] → scale 0.25: 7, 0.
            Tensor w = floats(new double[] {3.5, -2.5, 0.5, 7, 7, -3.5, 1.75, 0}, 2, 4);
            QuantizedWeight perChannel = new WeightQuantizer(4, 0, false).quantize(w.narrow(0, 0, 1));
            assertThat(perChannel.codes().scalar_type().intern()).isEqualTo(ScalarType.Char);
            assertThat(Tensors.toDoubles(perChannel.codes())).containsExactly(4, -2, 0, 7);
            assertThat(Tensors.toDoubles(perChannel.scales())).containsExactly(1);
            QuantizedWeight grouped = new WeightQuantizer(4, 2, false).quantize(w.narrow(0, 1, 1));
            assertThat(Tensors.toDoubles(grouped.codes())).containsExactly(7, -4, 7, 0);
            assertThat(Tensors.toDoubles(grouped.scales())).containsExactly(1, 0.25);
            assertThat(Tensors.toDoubles(grouped.dequantize(ScalarType.Float))).containsExactly(7, -4, 1.75, 0);
        }
    }

    @Test
    void clipSearchKeepsTheFullRangeForAUniformRow() {
        try (PointerScope scope = new PointerScope()) {
            Tensor w = floats(new double[] {1, 1, 1, 1}, 1, 4);
            WeightQuantizer quantizer = new WeightQuantizer(4, 0, true);
            assertThat(Tensors.toDoubles(quantizer.scales(w))[0]).isEqualTo((float) (1.0 / 7));
            assertThat(Tensors.toDoubles(quantizer.fakeQuantize(w))).containsExactly(1, 1, 1, 1);
        }
    }

    @Test
    void clipSearchShrinksTheScaleWhenAnOutlierDominates() {
        try (PointerScope scope = new PointerScope()) {
            double[] row = new double[64];
            for (int i = 0; i < row.length; i++) {
                row[i] = 0.05 * ((i * 37) % 17 - 8);
            }
            row[0] = 1.0;
            Tensor w = floats(row, 1, 64);
            double plainScale = Tensors.toDoubles(new WeightQuantizer(4, 0, false).scales(w))[0];
            double clippedScale = Tensors.toDoubles(new WeightQuantizer(4, 0, true).scales(w))[0];
            assertThat(clippedScale).isLessThan(plainScale);
            assertThat(error(new WeightQuantizer(4, 0, true).fakeQuantize(w), row))
                    .isLessThan(error(new WeightQuantizer(4, 0, false).fakeQuantize(w), row));
        }
    }

    @Test
    void groupsGetTheirOwnScales() {
        try (PointerScope scope = new PointerScope()) {
            // Group 0 has max 7 (scale 1), group 1 max 0.7 (scale 0.1): 0.35 survives only with groups.
            Tensor w = floats(new double[] {7, 1, 0.7, 0.35}, 1, 4);
            double[] grouped = Tensors.toDoubles(new WeightQuantizer(4, 2, false).fakeQuantize(w));
            assertThat(grouped[3]).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-6));
            double[] perChannel = Tensors.toDoubles(new WeightQuantizer(4, 0, false).fakeQuantize(w));
            assertThat(perChannel[3]).isZero();
        }
    }

    @Test
    void theClipSearchGivesEveryRowTheSameScaleWhateverTheSlab() {
        try (PointerScope scope = new PointerScope()) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            // Row counts that are not multiples of the slab, a grouped weight (a 3-D view), 2 to 8 bits.
            for (long[] shape : new long[][] {{37, 256}, {300, 96}, {50, 4, 32}}) {
                double[] values = new double[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
                for (int i = 0; i < values.length; i++) {
                    // Heavy tails, so that the search moves off the full range on some rows.
                    values[i] = random.nextGaussian() * (random.nextInt(50) == 0 ? 8 : 1);
                }
                Tensor w = floats(values, shape);
                for (int bits : new int[] {2, 4, 8}) {
                    WeightQuantizer quantizer = new WeightQuantizer(bits, 0, true);
                    Tensor whole = quantizer.scales(w, Long.MAX_VALUE);
                    Tensor slabs = quantizer.scales(w, 1);
                    assertThat(Tensors.shape(slabs)).isEqualTo(Tensors.shape(whole));
                    assertThat(slabs.equal(whole)).as("shape %s, %d bits", java.util.Arrays.toString(shape), bits).isTrue();
                    assertThat(slabs.equal(quantizer.scales(w))).isTrue();
                    double[] scales = Tensors.toDoubles(whole);
                    double[] full = Tensors.toDoubles(w.abs().amax(new long[] {-1}, true).div(Tensors.scalar((1 << (bits - 1)) - 1)));
                    assertThat(java.util.stream.IntStream.range(0, scales.length).filter(i -> scales[i] < full[i]).count())
                            .as("rows whose search shrank the scale").isPositive();
                }
            }
        }
    }

    @Test
    void roundingWithTheScalesOfTheSameWeightGivesItsFakeQuantizedTensor() {
        try (PointerScope scope = new PointerScope()) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(11);
            double[] values = new double[40 * 64];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextGaussian() * (random.nextInt(40) == 0 ? 6 : 1);
            }
            Tensor w = floats(values, 40, 64);
            for (WeightQuantizer quantizer : new WeightQuantizer[] {new WeightQuantizer(4, 0, true),
                    new WeightQuantizer(3, 16, true), new WeightQuantizer(4, 0, false)}) {
                Tensor scales = quantizer.weightScales(w);
                assertThat(quantizer.fakeQuantize(w, scales).equal(quantizer.fakeQuantize(w))).isTrue();
                // Scales of another weight round it onto another grid: the scales are what is used.
                Tensor other = quantizer.weightScales(w.mul(Tensors.scalar(2.0)));
                assertThat(quantizer.fakeQuantize(w, other).equal(quantizer.fakeQuantize(w))).isFalse();
            }
        }
    }

    @Test
    void sixteenBitsIsTheIdentity() {
        try (PointerScope scope = new PointerScope()) {
            Tensor w = floats(new double[] {0.123, -4.56, 7.89, 1e-3}, 2, 2);
            assertThat(new WeightQuantizer(16, 0, true).fakeQuantize(w)).isSameAs(w);
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new WeightQuantizer(9, 0, true)).isInstanceOf(InvalidInputException.class)
                .hasMessage("--w-bits must be 2..8, or 16 for no quantization; got 9");
        assertThatThrownBy(() -> new WeightQuantizer(1, 0, true)).hasMessageContaining("got 1");
        try (PointerScope scope = new PointerScope()) {
            Tensor w = floats(new double[] {1, 2, 3, 4, 5, 6}, 1, 6);
            assertThatThrownBy(() -> new WeightQuantizer(4, 4, true).fakeQuantize(w))
                    .hasMessage("--w-group 4 does not divide the input dimension 6");
        }
    }

    private static double error(Tensor quantized, double[] original) {
        double[] q = Tensors.toDoubles(quantized);
        double sum = 0;
        for (int i = 0; i < q.length; i++) {
            sum += (q[i] - original[i]) * (q[i] - original[i]);
        }
        return sum;
    }
}
