package io.rotquant.runtime.model;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The integer kernel on the Vector API: bytes are sign-extended to int lanes (one instruction on
 * x86: vpmovsxbd), multiplied and accumulated in two independent int32 vectors, reduced once; floats
 * by fused multiply-add into two vectors.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class,
            jdk.incubator.vector.VectorShape.forBitSize(INTS.vectorBitSize() / 4));
    private static final int LANES = INTS.length();
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int FLOAT_LANES = FLOATS.length();

    @Override
    public int dot(byte[] a, int aFrom, byte[] b, int bFrom, int n) {
        IntVector acc0 = IntVector.zero(INTS);
        IntVector acc1 = IntVector.zero(INTS);
        int i = 0;
        for (; i <= n - 2 * LANES; i += 2 * LANES) {
            acc0 = widen(a, aFrom + i).mul(widen(b, bFrom + i)).add(acc0);
            acc1 = widen(a, aFrom + i + LANES).mul(widen(b, bFrom + i + LANES)).add(acc1);
        }
        int sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aFrom + i] * b[bFrom + i];
        }
        return sum;
    }

    @Override
    public float dot(float[] a, int aFrom, float[] b, int bFrom, int n) {
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i <= n - 2 * FLOAT_LANES; i += 2 * FLOAT_LANES) {
            acc0 = FloatVector.fromArray(FLOATS, a, aFrom + i).fma(FloatVector.fromArray(FLOATS, b, bFrom + i), acc0);
            acc1 = FloatVector.fromArray(FLOATS, a, aFrom + i + FLOAT_LANES)
                    .fma(FloatVector.fromArray(FLOATS, b, bFrom + i + FLOAT_LANES), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aFrom + i] * b[bFrom + i];
        }
        return sum;
    }

    private static IntVector widen(byte[] array, int from) {
        return (IntVector) ByteVector.fromArray(BYTES, array, from).convertShape(VectorOperators.B2I, INTS, 0);
    }

    @Override
    public String describe() {
        return "Vector API " + INTS.vectorBitSize() + "-bit";
    }
}
