package io.rotquant.runtime.model;

/**
 * The dot products the model runs on: int8 × int8 with int32 accumulation for the linears, float32
 * for the dense online rotations. The Vector API
 * implementation is used when the {@code jdk.incubator.vector} module is present
 * ({@code --add-modules jdk.incubator.vector}), the scalar loop otherwise.
 */
interface Kernels {
    /** Σ_{i<n} a[aFrom+i]·b[bFrom+i], exact in int32. */
    int dot(byte[] a, int aFrom, byte[] b, int bFrom, int n);

    /** Σ_{i<n} a[aFrom+i]·b[bFrom+i] in float32 (summation order is the implementation's). */
    float dot(float[] a, int aFrom, float[] b, int bFrom, int n);

    /** A short description for the banner: backend and vector width. */
    String describe();

    /** The fastest implementation this JVM can run. */
    static Kernels best() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (Kernels) Class.forName("io.rotquant.runtime.model.VectorKernels")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarKernels();
            }
        }
        return new ScalarKernels();
    }
}
