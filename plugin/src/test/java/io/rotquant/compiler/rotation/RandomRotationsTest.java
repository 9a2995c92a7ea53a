package io.rotquant.compiler.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class RandomRotationsTest {

    @Test
    void randomizedHadamardIsOrthogonalAndFlipsInputSigns() {
        try (PointerScope scope = new PointerScope()) {
            RandomRotations random = new RandomRotations(7);
            Tensor r = random.randomizedHadamard(172 * 4, "R1", "n");
            assertOrthogonal(r);
            // R = diag(s)·Mᵀ: every row is ± the matching row of Mᵀ.
            double[][] m = HadamardTransform.ofSize(172 * 4, "n").matrix();
            double[] values = Tensors.toDoubles(r);
            int n = 172 * 4;
            int flipped = 0;
            for (int i = 0; i < n; i++) {
                double sign = Math.signum(values[i * n]) * Math.signum(m[0][i]);
                flipped += sign < 0 ? 1 : 0;
                for (int j = 0; j < n; j++) {
                    assertThat(values[i * n + j]).isEqualTo(sign * m[j][i]);
                }
            }
            assertThat(flipped).isBetween(n / 4, 3 * n / 4);
        }
    }

    @Test
    void randomOrthogonalIsOrthogonal() {
        try (PointerScope scope = new PointerScope()) {
            assertOrthogonal(new RandomRotations(3).orthogonal(96, "R1"));
        }
    }

    @Test
    void sameSeedAndPurposeGiveTheSameMatrixOthersDiffer() {
        try (PointerScope scope = new PointerScope()) {
            double[] a = Tensors.toDoubles(new RandomRotations(5).orthogonal(32, "R1"));
            double[] b = Tensors.toDoubles(new RandomRotations(5).orthogonal(32, "R1"));
            double[] otherSeed = Tensors.toDoubles(new RandomRotations(6).orthogonal(32, "R1"));
            double[] otherPurpose = Tensors.toDoubles(new RandomRotations(5).orthogonal(32, "R2/layer 0"));
            assertThat(a).isEqualTo(b);
            assertThat(a).isNotEqualTo(otherSeed).isNotEqualTo(otherPurpose);
        }
    }

    private static void assertOrthogonal(Tensor r) {
        Tensor gram = r.matmul(r.t()).sub(torch.eye(r.size(0)).to(torch.ScalarType.Double));
        assertThat(gram.abs().max().item_double()).isLessThan(1e-12);
    }
}
