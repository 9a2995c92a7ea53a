package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.RotationPlan;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * An online rotation applied in place to vectors of size n: a Walsh-Hadamard transform
 * {@code y = x·(had_K ⊗ H_m)ᵀ/√n} (butterflies along each of the K rows of x viewed as [K, m],
 * then had_K across the rows), or a dense matrix {@code y = x·Mᵀ}.
 */
final class OnlineRotation {
    private final RotationPlan.Online plan;
    private final int n;
    private final int k;
    private final int m;
    private final byte[] hadamard;
    private final float[] matrix;
    private final float scale;

    private OnlineRotation(RotationPlan.Online plan, byte[] hadamard, float[] matrix) {
        this.plan = plan;
        this.n = plan.size();
        this.k = plan.kind() == RotationPlan.Kind.WHT ? plan.factor() : 1;
        this.m = n / k;
        this.hadamard = hadamard;
        this.matrix = matrix;
        this.scale = (float) (1.0 / Math.sqrt(n));
    }

    /** The rotation of {@code plan}; {@code tensor} holds had_K (I8) or the matrix (F32), or is null for K = 1. */
    static OnlineRotation of(RotationPlan.Online plan, MemorySegment tensor) {
        if (plan.kind() == RotationPlan.Kind.MATMUL) {
            return new OnlineRotation(plan, null,
                    tensor.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
        }
        return new OnlineRotation(plan, tensor == null ? null : tensor.toArray(ValueLayout.JAVA_BYTE), null);
    }

    RotationPlan.Online plan() {
        return plan;
    }

    /** Rotates x[from .. from+n) in place. */
    void apply(float[] x, int from) {
        if (matrix != null) {
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                float acc = 0f;
                for (int j = 0; j < n; j++) {
                    acc += matrix[i * n + j] * x[from + j];
                }
                y[i] = acc;
            }
            System.arraycopy(y, 0, x, from, n);
            return;
        }
        for (int row = 0; row < k; row++) {
            butterflies(x, from + row * m, m);
        }
        if (k > 1) {
            float[] column = new float[k];
            for (int b = 0; b < m; b++) {
                for (int a = 0; a < k; a++) {
                    column[a] = x[from + a * m + b];
                }
                for (int a = 0; a < k; a++) {
                    float acc = 0f;
                    for (int c = 0; c < k; c++) {
                        acc += hadamard[a * k + c] * column[c];
                    }
                    x[from + a * m + b] = acc;
                }
            }
        }
        for (int i = from; i < from + n; i++) {
            x[i] *= scale;
        }
    }

    /** Unnormalised in-place fast Walsh-Hadamard transform of x[from .. from+len), len a power of two. */
    static void butterflies(float[] x, int from, int len) {
        for (int h = 1; h < len; h <<= 1) {
            for (int i = from; i < from + len; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    float u = x[j];
                    float v = x[j + h];
                    x[j] = u + v;
                    x[j + h] = u - v;
                }
            }
        }
    }
}
