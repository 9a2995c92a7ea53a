package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rotquant.runtime.artifact.RotationPlan;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OnlineRotationTest {
    /** Dense (had_K ⊗ H_m)/√n applied as y = M·x, the definition the fast path must match. */
    private static double[] dense(int[][] had, int m, double[] x) {
        int k = had.length;
        int n = k * m;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int sylvester = (Integer.bitCount((i % m) & (j % m)) & 1) == 0 ? 1 : -1;
                y[i] += had[i / m][j / m] * sylvester * x[j];
            }
            y[i] /= Math.sqrt(n);
        }
        return y;
    }

    @Test
    void whtWithAHadamardFactorEqualsTheDenseKroneckerProduct() {
        // had_2 = [[1, 1], [1, -1]] stands in for any ±1 factor: the fast path only reads the table.
        int[][] had = {{1, 1, 1, 1}, {1, -1, 1, -1}, {1, 1, -1, -1}, {1, -1, -1, 1}};
        byte[] table = new byte[16];
        for (int i = 0; i < 16; i++) {
            table[i] = (byte) had[i / 4][i % 4];
        }
        for (int m : new int[] {1, 2, 8, 64}) {
            int n = 4 * m;
            OnlineRotation rotation = OnlineRotation.of(new RotationPlan.Online(RotationPlan.Kind.WHT, n, 4),
                    MemorySegment.ofArray(table));
            SplittableRandom random = new SplittableRandom(m);
            float[] x = new float[n + 3];
            double[] input = new double[n];
            for (int i = 0; i < n; i++) {
                x[3 + i] = (float) random.nextGaussian();
                input[i] = x[3 + i];
            }
            rotation.apply(x, 3);
            double[] expected = dense(had, m, input);
            for (int i = 0; i < n; i++) {
                assertThat((double) x[3 + i]).as("m=%d i=%d", m, i).isCloseTo(expected[i], within(1e-5));
            }
        }
    }
}
