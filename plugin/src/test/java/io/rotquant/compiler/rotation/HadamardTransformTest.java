package io.rotquant.compiler.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.torch.Tensors;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The fast (Kronecker-factored / butterfly) transform equals the dense product and is orthogonal. */
class HadamardTransformTest {

    @ParameterizedTest(name = "K={0} m={1}")
    @CsvSource({"172,64", "40,128", "28,512", "12,128", "36,16", "1,256", "1,4096", "108,8", "156,2", "60,1", "76,64",
        "148,8"})
    void fastTransformEqualsDenseProduct(int k, int m) {
        int n = k * m;
        HadamardTransform transform = HadamardTransform.ofSize(n, "test size");
        assertThat(transform.factor()).isEqualTo(k);
        double[][] x = random(3, n, 7L * n);
        double[][] expected = new double[3][];
        for (int r = 0; r < 3; r++) {
            expected[r] = dense(k, m, x[r]);
        }
        for (int block : new int[] {2, 8, 128}) {
            double[] actual = applyFast(transform.withBlock(block), x);
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < n; i++) {
                    assertThat(actual[r * n + i]).as("block %d row %d index %d", block, r, i)
                            .isCloseTo(expected[r][i], org.assertj.core.data.Offset.offset(1e-10));
                }
            }
        }
    }

    @Test
    void denseMatrixOfTheTransformIsOrthogonal() {
        for (int n : new int[] {12 * 16, 20 * 8, 172 * 4, 40 * 2, 256}) {
            double[][] m = HadamardTransform.ofSize(n, "n").matrix();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int c = 0; c < n; c++) {
                        dot += m[i][c] * m[j][c];
                    }
                    assertThat(dot).isCloseTo(i == j ? 1 : 0, org.assertj.core.data.Offset.offset(1e-12));
                }
            }
        }
    }

    static Stream<Arguments> everyOrderUpToTwoToThe14() {
        return Stream.concat(Stream.of(1), HadamardTables.ORDERS.stream().sorted())
                .flatMap(k -> IntStream.of(0, 1, 5, 9, 12, 14).mapToObj(p -> Arguments.of(k, p)));
    }

    /** Orthogonality through the fast path: the Gram matrix of transformed random rows is preserved. */
    @ParameterizedTest(name = "K={0} m=2^{1}")
    @MethodSource("everyOrderUpToTwoToThe14")
    void transformPreservesInnerProducts(int k, int p) {
        int n = k << p;
        double[][] x = random(3, n, 31L * n + p);
        double[] y = applyFast(HadamardTransform.ofSize(n, "n"), x);
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                double before = 0;
                double after = 0;
                for (int i = 0; i < n; i++) {
                    before += x[a][i] * x[b][i];
                    after += y[a * n + i] * y[b * n + i];
                }
                assertThat(after).as("<Tx%d, Tx%d>", a, b).isCloseTo(before,
                        org.assertj.core.data.Offset.offset(1e-9 * n));
            }
        }
    }

    @Test
    void unsupportedSizeIsRefusedWithTheFieldName() {
        // 5,888 = 23·256: no order of the form 23·2^k is built (4,864 = 19·256 is, as 76·64).
        assertThatThrownBy(() -> HadamardTransform.ofSize(5888, "intermediate_size"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("intermediate_size = 5888 has no Hadamard matrix here: it must be 2^p times one of 1, 12, 20, 28,"
                        + " 36, 40, 44, 52, 60, 76, 108, 140, 148, 156, 172");
    }

    private static double[] applyFast(HadamardTransform transform, double[][] rows) {
        int n = rows[0].length;
        double[] flat = new double[rows.length * n];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * n, n);
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor out = transform.apply(Tensors.doubles(flat, rows.length, n));
            return Tensors.toDoubles(out);
        }
    }

    /** x·Mᵀ straight from the definition M[i][j] = had_K[i/m][j/m]·(−1)^popcount(i%m & j%m)/√n. */
    private static double[] dense(int k, int m, double[] x) {
        int n = k * m;
        int[][] had = HadamardTables.of(k);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                int sign = (Integer.bitCount((i % m) & (j % m)) & 1) == 0 ? 1 : -1;
                sum += had[i / m][j / m] * sign * x[j];
            }
            y[i] = sum / Math.sqrt(n);
        }
        return y;
    }

    private static double[][] random(int rows, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[rows][n];
        for (double[] row : x) {
            for (int i = 0; i < n; i++) {
                row[i] = random.nextGaussian();
            }
        }
        return x;
    }
}
