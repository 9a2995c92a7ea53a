package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelsTest {
    @Test
    void theVectorKernelIsInUseUnderTestAndAgreesWithTheScalarOneExactly() {
        Kernels best = Kernels.best();
        assertThat(best.describe()).startsWith("Vector API");
        Kernels scalar = new ScalarKernels();
        SplittableRandom random = new SplittableRandom(1);
        for (int n : new int[] {0, 1, 7, 8, 15, 16, 33, 64, 511, 4096}) {
            byte[] a = new byte[n + 5];
            byte[] b = new byte[n + 9];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) random.nextInt(-128, 128);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) random.nextInt(-128, 128);
            }
            long expected = 0;
            for (int i = 0; i < n; i++) {
                expected += a[3 + i] * b[5 + i];
            }
            assertThat(scalar.dot(a, 3, b, 5, n)).as("scalar n=%d", n).isEqualTo(expected);
            assertThat(best.dot(a, 3, b, 5, n)).as("vector n=%d", n).isEqualTo(expected);
        }
    }
}
