package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorRotationTest {
    private static final int[][] HAD_4 = {{1, 1, 1, 1}, {1, -1, 1, -1}, {1, 1, -1, -1}, {1, -1, -1, 1}};

    /** y = M·x in float64, the definition each fast path must match. */
    private static double[] times(double[][] m, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                y[i] += m[i][j] * x[j];
            }
        }
        return y;
    }

    private static double[][] kron(double[][] a, double[][] b) {
        int n = a.length * b.length;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                k[i][j] = a[i / b.length][j / b.length] * b[i % b.length][j % b.length];
            }
        }
        return k;
    }

    private static double[][] sylvester(int m) {
        double[][] h = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                h[i][j] = (Integer.bitCount(i & j) & 1) == 0 ? 1 : -1;
            }
        }
        return h;
    }

    private static double[][] scaled(double[][] m, double s) {
        double[][] r = new double[m.length][m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m.length; j++) {
                r[i][j] = m[i][j] * s;
            }
        }
        return r;
    }

    /** A random orthogonal matrix (Gram–Schmidt of Gaussian rows). */
    private static double[][] orthogonal(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i][j] = random.nextGaussian();
            }
            for (int p = 0; p < i; p++) {
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    dot += q[i][j] * q[p][j];
                }
                for (int j = 0; j < n; j++) {
                    q[i][j] -= dot * q[p][j];
                }
            }
            double norm = 0;
            for (int j = 0; j < n; j++) {
                norm += q[i][j] * q[i][j];
            }
            for (int j = 0; j < n; j++) {
                q[i][j] /= Math.sqrt(norm);
            }
        }
        return q;
    }

    private static float[] floats(double[][] m) {
        float[] f = new float[m.length * m.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) m[i / m.length][i % m.length];
        }
        return f;
    }

    /** Applies {@code rotation} at an offset of 3 and compares with {@code expected·x}. */
    private static void assertApplies(VectorRotation rotation, double[][] expected, long seed) {
        int n = expected.length;
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n + 5];
        double[] input = new double[n];
        for (int i = 0; i < n; i++) {
            x[3 + i] = (float) random.nextGaussian();
            input[i] = x[3 + i];
        }
        rotation.apply(x, 3);
        double[] y = times(expected, input);
        for (int i = 0; i < n; i++) {
            assertThat((double) x[3 + i]).as("%s i=%d", rotation, i).isCloseTo(y[i], within(1e-5));
        }
        assertThat(x[0]).isZero();
        assertThat(x[n + 4]).isZero();
    }

    @Test
    void walshHadamardWithAFactorEqualsTheDenseKroneckerProduct() {
        byte[] table = new byte[16];
        for (int i = 0; i < 16; i++) {
            table[i] = (byte) HAD_4[i / 4][i % 4];
        }
        double[][] had = new double[4][4];
        for (int i = 0; i < 16; i++) {
            had[i / 4][i % 4] = HAD_4[i / 4][i % 4];
        }
        for (int m : new int[] {1, 2, 8, 64}) {
            double[][] expected = scaled(kron(had, sylvester(m)), 1 / Math.sqrt(4.0 * m));
            assertApplies(VectorRotation.walshHadamard(4 * m, table), expected, m);
        }
        for (int n : new int[] {1, 2, 64, 1024}) {
            assertApplies(VectorRotation.walshHadamard(n, null), scaled(sylvester(n), 1 / Math.sqrt(n)), n);
        }
    }

    @Test
    void denseAndKroneckerRotationsApplyTheirMatrices() {
        double[][] a = orthogonal(12, 1);
        double[][] b = orthogonal(8, 2);
        assertApplies(VectorRotation.dense(12, floats(a)), a, 3);
        assertApplies(VectorRotation.kronecker(VectorRotation.dense(12, floats(a)), VectorRotation.dense(8, floats(b))),
                kron(a, b), 4);
        // A trained factor beside a fixed transform, as a DuaRot R4 plan has it.
        assertApplies(VectorRotation.kronecker(VectorRotation.dense(12, floats(a)), VectorRotation.walshHadamard(8, null)),
                kron(a, scaled(sylvester(8), 1 / Math.sqrt(8))), 5);
        assertApplies(VectorRotation.kronecker(VectorRotation.dense(1, new float[] {-1f}), VectorRotation.dense(8, floats(b))),
                scaled(b, -1), 6);
    }

    @Test
    void theScalarKernelsGiveTheSameRotations() {
        Kernels scalar = new ScalarKernels();
        double[][] a = orthogonal(40, 7);
        assertApplies(new DenseRotation(40, floats(a), 0, scalar), a, 8);
        byte[] table = new byte[16];
        double[][] had = new double[4][4];
        for (int i = 0; i < 16; i++) {
            table[i] = (byte) HAD_4[i / 4][i % 4];
            had[i / 4][i % 4] = HAD_4[i / 4][i % 4];
        }
        assertApplies(VectorRotation.walshHadamard(4 * 32, table, scalar), scaled(kron(had, sylvester(32)), 1 / Math.sqrt(128)),
                9);
    }

    @Test
    void theVectorAndScalarFloatDotsAgree() {
        SplittableRandom random = new SplittableRandom(9);
        for (int n : new int[] {0, 1, 7, 16, 33, 172, 1024}) {
            float[] a = new float[n + 2];
            float[] b = new float[n + 1];
            double expected = 0;
            for (int i = 0; i < n; i++) {
                a[2 + i] = (float) random.nextGaussian();
                b[1 + i] = (float) random.nextGaussian();
                expected += (double) a[2 + i] * b[1 + i];
            }
            assertThat((double) Kernels.best().dot(a, 2, b, 1, n)).as("vector n=%d", n).isCloseTo(expected, within(1e-4));
            assertThat((double) new ScalarKernels().dot(a, 2, b, 1, n)).as("scalar n=%d", n).isCloseTo(expected,
                    within(1e-4));
        }
    }
}
