package io.rotquant.runtime.model;

/** The portable kernels: plain loops (four float accumulators, so that the float loop is not one long dependency chain). */
final class ScalarKernels implements Kernels {
    @Override
    public int dot(byte[] a, int aFrom, byte[] b, int bFrom, int n) {
        int acc = 0;
        for (int i = 0; i < n; i++) {
            acc += a[aFrom + i] * b[bFrom + i];
        }
        return acc;
    }

    @Override
    public float dot(float[] a, int aFrom, float[] b, int bFrom, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i <= n - 4; i += 4) {
            s0 += a[aFrom + i] * b[bFrom + i];
            s1 += a[aFrom + i + 1] * b[bFrom + i + 1];
            s2 += a[aFrom + i + 2] * b[bFrom + i + 2];
            s3 += a[aFrom + i + 3] * b[bFrom + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aFrom + i] * b[bFrom + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public String describe() {
        return "scalar";
    }
}
