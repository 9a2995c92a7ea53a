package io.rotquant.runtime.model;

/**
 * The integer dot product the linears run on: int8 × int8 with int32 accumulation. The Vector API
 * implementation is used when the {@code jdk.incubator.vector} module is present
 * ({@code --add-modules jdk.incubator.vector}), the scalar loop otherwise.
 */
interface IntKernels {
    /** Σ_{i<n} a[aFrom+i]·b[bFrom+i], exact in int32. */
    int dot(byte[] a, int aFrom, byte[] b, int bFrom, int n);

    /** A short description for the banner: backend and vector width. */
    String describe();

    /** The fastest implementation this JVM can run. */
    static IntKernels best() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (IntKernels) Class.forName("io.rotquant.runtime.model.VectorIntKernels")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarIntKernels();
            }
        }
        return new ScalarIntKernels();
    }
}
