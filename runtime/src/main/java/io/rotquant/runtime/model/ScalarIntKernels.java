package io.rotquant.runtime.model;

/** The portable integer kernel: a plain loop. */
final class ScalarIntKernels implements IntKernels {
    @Override
    public int dot(byte[] a, int aFrom, byte[] b, int bFrom, int n) {
        int acc = 0;
        for (int i = 0; i < n; i++) {
            acc += a[aFrom + i] * b[bFrom + i];
        }
        return acc;
    }

    @Override
    public String describe() {
        return "scalar";
    }
}
