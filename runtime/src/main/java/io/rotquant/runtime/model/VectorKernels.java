package io.rotquant.runtime.model;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels on the Vector API: int8 bytes sign-extended to int lanes (one instruction on x86:
 * vpmovsxbd), packed 4-bit weights widened to 16-bit lanes, floats by fused multiply-add into
 * independent accumulators reduced once. What is left past the last whole vector goes to the
 * scalar kernels.
 */
final class VectorKernels implements Kernels {
    private static final ScalarKernels TAIL = new ScalarKernels();
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class,
            jdk.incubator.vector.VectorShape.forBitSize(INTS.vectorBitSize() / 4));
    private static final int LANES = INTS.length();
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_PREFERRED;
    /** One byte per short lane. */
    private static final VectorSpecies<Byte> SHORT_BYTES = VectorSpecies.of(byte.class,
            jdk.incubator.vector.VectorShape.forBitSize(SHORTS.vectorBitSize() / 2));
    private static final int SHORT_LANES = SHORTS.length();
    /** XOR-ed into each packed byte: both signed nibbles c become c + 8, in 0..15. */
    private static final byte NIBBLE_OFFSETS = (byte) 0x88;
    /**
     * Short lanes accumulate this many steps before widening: each step adds one product of an
     * offset weight code (0..15) and an activation code of up to 8 bits (|q| ≤ 128) to an
     * accumulator, at most 1920, so 16 steps stay within 32767 (30720).
     */
    private static final int SHORT_STEPS = 16;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int FLOAT_LANES = FLOATS.length();
    /** One byte per float lane: a byte vector that widens to exactly one float vector. */
    private static final VectorSpecies<Byte> LANE_BYTES = VectorSpecies.of(byte.class,
            jdk.incubator.vector.VectorShape.forBitSize(FLOATS.vectorBitSize() / 4));

    @Override
    public int dot(byte[] a, int aFrom, MemorySegment b, long bFrom, int n) {
        IntVector acc0 = IntVector.zero(INTS);
        IntVector acc1 = IntVector.zero(INTS);
        int i = 0;
        for (; i <= n - 2 * LANES; i += 2 * LANES) {
            acc0 = widen(a, aFrom + i).mul(widen(b, bFrom + i)).add(acc0);
            acc1 = widen(a, aFrom + i + LANES).mul(widen(b, bFrom + i + LANES)).add(acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) + TAIL.dot(a, aFrom + i, b, bFrom + i, n - i);
    }

    /**
     * On codes offset to 0..15 (one XOR per byte, then an AND for the low nibble and a shift for the
     * high one, where signed nibbles take three shifts): Σ (c + 8)·q, less 8·Σ q from the code sum.
     * Low and high products go to their own accumulators, widened to ints every {@link #SHORT_STEPS}.
     * The widening is written out where it happens: through a helper method, C2 compiled the
     * kernels slower (the prefill tile at half its speed, one thread, in cache).
     */
    @Override
    public int dotPacked(short[] even, short[] odd, int e, int codeSum, MemorySegment w, long wFrom, int pairs) {
        int whole = pairs - pairs % SHORT_LANES;
        IntVector total = IntVector.zero(INTS);
        for (int p = 0; p < whole; ) {
            int end = Math.min(whole, p + SHORT_STEPS * SHORT_LANES);
            ShortVector lo = ShortVector.zero(SHORTS);
            ShortVector hi = ShortVector.zero(SHORTS);
            for (; p < end; p += SHORT_LANES) {
                ShortVector codes = offsetCodes(w, wFrom + p);
                lo = lo.add(lowOffsetNibbles(codes).mul(ShortVector.fromArray(SHORTS, even, e + p)));
                hi = hi.add(highOffsetNibbles(codes).mul(ShortVector.fromArray(SHORTS, odd, e + p)));
            }
            total = total.add(lo.convertShape(VectorOperators.S2I, INTS, 0)).add(lo.convertShape(VectorOperators.S2I, INTS, 1))
                    .add(hi.convertShape(VectorOperators.S2I, INTS, 0)).add(hi.convertShape(VectorOperators.S2I, INTS, 1));
        }
        return exact(total, codeSum, even, odd, e, w, wFrom, whole, pairs);
    }

    /**
     * {@link #dotPacked} as a 2 × 2 tile: per step two weight vectors unpacked and four activation
     * vectors loaded meet in four accumulators (two products each a step, so half as many steps
     * between widenings).
     */
    @Override
    public void dotPackedTile(short[] even, short[] odd, int e, int stride, int[] codeSums, MemorySegment w, long wFrom,
            long wStride, int pairs, int[] out) {
        int e1 = e + stride;
        long w1 = wFrom + wStride;
        int whole = pairs - pairs % SHORT_LANES;
        IntVector total00 = IntVector.zero(INTS);
        IntVector total01 = IntVector.zero(INTS);
        IntVector total10 = IntVector.zero(INTS);
        IntVector total11 = IntVector.zero(INTS);
        for (int p = 0; p < whole; ) {
            int end = Math.min(whole, p + SHORT_STEPS / 2 * SHORT_LANES);
            ShortVector acc00 = ShortVector.zero(SHORTS);
            ShortVector acc01 = ShortVector.zero(SHORTS);
            ShortVector acc10 = ShortVector.zero(SHORTS);
            ShortVector acc11 = ShortVector.zero(SHORTS);
            for (; p < end; p += SHORT_LANES) {
                ShortVector codes0 = offsetCodes(w, wFrom + p);
                ShortVector codes1 = offsetCodes(w, w1 + p);
                ShortVector lo0 = lowOffsetNibbles(codes0);
                ShortVector hi0 = highOffsetNibbles(codes0);
                ShortVector lo1 = lowOffsetNibbles(codes1);
                ShortVector hi1 = highOffsetNibbles(codes1);
                ShortVector even0 = ShortVector.fromArray(SHORTS, even, e + p);
                ShortVector odd0 = ShortVector.fromArray(SHORTS, odd, e + p);
                ShortVector even1 = ShortVector.fromArray(SHORTS, even, e1 + p);
                ShortVector odd1 = ShortVector.fromArray(SHORTS, odd, e1 + p);
                acc00 = acc00.add(lo0.mul(even0)).add(hi0.mul(odd0));
                acc01 = acc01.add(lo0.mul(even1)).add(hi0.mul(odd1));
                acc10 = acc10.add(lo1.mul(even0)).add(hi1.mul(odd0));
                acc11 = acc11.add(lo1.mul(even1)).add(hi1.mul(odd1));
            }
            total00 = total00.add(acc00.convertShape(VectorOperators.S2I, INTS, 0)).add(acc00.convertShape(VectorOperators.S2I, INTS, 1));
            total01 = total01.add(acc01.convertShape(VectorOperators.S2I, INTS, 0)).add(acc01.convertShape(VectorOperators.S2I, INTS, 1));
            total10 = total10.add(acc10.convertShape(VectorOperators.S2I, INTS, 0)).add(acc10.convertShape(VectorOperators.S2I, INTS, 1));
            total11 = total11.add(acc11.convertShape(VectorOperators.S2I, INTS, 0)).add(acc11.convertShape(VectorOperators.S2I, INTS, 1));
        }
        out[0] = exact(total00, codeSums[0], even, odd, e, w, wFrom, whole, pairs);
        out[1] = exact(total01, codeSums[1], even, odd, e1, w, wFrom, whole, pairs);
        out[2] = exact(total10, codeSums[0], even, odd, e, w, w1, whole, pairs);
        out[3] = exact(total11, codeSums[1], even, odd, e1, w, w1, whole, pairs);
    }

    /** Two float vectors of activation rows: with eight weight rows, 16 accumulators stay in registers. */
    @Override
    public int blockTokens() {
        return 2 * FLOAT_LANES;
    }

    /**
     * Per column, two vectors of activation rows and one broadcast weight per weight row meet in
     * fused multiply-adds: the register-blocked outer product of a float GEMM, with the even columns'
     * pass first and the odd columns' second. The accumulators are written out one by one; C2 keeps
     * named locals in registers, not arrays of vectors.
     */
    @Override
    public void blockProducts(float[] xEven, float[] xOdd, int xFrom, float[] wEven, float[] wOdd, int wStride, int from,
            int to, float[] out) {
        int tokens = 2 * FLOAT_LANES;
        FloatVector a00 = FloatVector.zero(FLOATS), a01 = FloatVector.zero(FLOATS), a10 = FloatVector.zero(FLOATS);
        FloatVector a11 = FloatVector.zero(FLOATS), a20 = FloatVector.zero(FLOATS), a21 = FloatVector.zero(FLOATS);
        FloatVector a30 = FloatVector.zero(FLOATS), a31 = FloatVector.zero(FLOATS), a40 = FloatVector.zero(FLOATS);
        FloatVector a41 = FloatVector.zero(FLOATS), a50 = FloatVector.zero(FLOATS), a51 = FloatVector.zero(FLOATS);
        FloatVector a60 = FloatVector.zero(FLOATS), a61 = FloatVector.zero(FLOATS), a70 = FloatVector.zero(FLOATS);
        FloatVector a71 = FloatVector.zero(FLOATS);
        for (int half = 0; half < 2; half++) {
            float[] x = half == 0 ? xEven : xOdd;
            float[] w = half == 0 ? wEven : wOdd;
            for (int p = from, at = xFrom + from * tokens; p < to; p++, at += tokens) {
                FloatVector x0 = FloatVector.fromArray(FLOATS, x, at);
                FloatVector x1 = FloatVector.fromArray(FLOATS, x, at + FLOAT_LANES);
                FloatVector b = FloatVector.broadcast(FLOATS, w[p]);
                a00 = x0.fma(b, a00);
                a01 = x1.fma(b, a01);
                b = FloatVector.broadcast(FLOATS, w[wStride + p]);
                a10 = x0.fma(b, a10);
                a11 = x1.fma(b, a11);
                b = FloatVector.broadcast(FLOATS, w[2 * wStride + p]);
                a20 = x0.fma(b, a20);
                a21 = x1.fma(b, a21);
                b = FloatVector.broadcast(FLOATS, w[3 * wStride + p]);
                a30 = x0.fma(b, a30);
                a31 = x1.fma(b, a31);
                b = FloatVector.broadcast(FLOATS, w[4 * wStride + p]);
                a40 = x0.fma(b, a40);
                a41 = x1.fma(b, a41);
                b = FloatVector.broadcast(FLOATS, w[5 * wStride + p]);
                a50 = x0.fma(b, a50);
                a51 = x1.fma(b, a51);
                b = FloatVector.broadcast(FLOATS, w[6 * wStride + p]);
                a60 = x0.fma(b, a60);
                a61 = x1.fma(b, a61);
                b = FloatVector.broadcast(FLOATS, w[7 * wStride + p]);
                a70 = x0.fma(b, a70);
                a71 = x1.fma(b, a71);
            }
        }
        a00.intoArray(out, 0);
        a01.intoArray(out, FLOAT_LANES);
        a10.intoArray(out, tokens);
        a11.intoArray(out, tokens + FLOAT_LANES);
        a20.intoArray(out, 2 * tokens);
        a21.intoArray(out, 2 * tokens + FLOAT_LANES);
        a30.intoArray(out, 3 * tokens);
        a31.intoArray(out, 3 * tokens + FLOAT_LANES);
        a40.intoArray(out, 4 * tokens);
        a41.intoArray(out, 4 * tokens + FLOAT_LANES);
        a50.intoArray(out, 5 * tokens);
        a51.intoArray(out, 5 * tokens + FLOAT_LANES);
        a60.intoArray(out, 6 * tokens);
        a61.intoArray(out, 6 * tokens + FLOAT_LANES);
        a70.intoArray(out, 7 * tokens);
        a71.intoArray(out, 7 * tokens + FLOAT_LANES);
    }

    @Override
    public void unpackNibbles(MemorySegment w, long wFrom, int pairs, float[] even, float[] odd, int at) {
        int p = 0;
        for (; p <= pairs - FLOAT_LANES; p += FLOAT_LANES) {
            IntVector bytes = (IntVector) ByteVector.fromMemorySegment(LANE_BYTES, w, wFrom + p, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, INTS, 0);
            lowNibbles(bytes).intoArray(even, at + p);
            highNibbles(bytes).intoArray(odd, at + p);
        }
        TAIL.unpackNibbles(w, wFrom + p, pairs - p, even, odd, at + p);
    }

    /**
     * The signed dot product from the offset one of the first {@code whole} pairs: their codes' sum
     * is the row's less the rest's, and the rest goes to the scalar kernel.
     */
    private static int exact(IntVector offsetTotal, int codeSum, short[] even, short[] odd, int e, MemorySegment w,
            long wFrom, int whole, int pairs) {
        int restSum = 0;
        for (int p = whole; p < pairs; p++) {
            restSum += even[e + p] + odd[e + p];
        }
        return offsetTotal.reduceLanes(VectorOperators.ADD) - 8 * (codeSum - restSum)
                + TAIL.dotPacked(even, odd, e + whole, restSum, w, wFrom + whole, pairs - whole);
    }

    /** Packed weight bytes from {@code from} with both nibbles offset to 0..15, zero-extended to short lanes. */
    private static ShortVector offsetCodes(MemorySegment w, long from) {
        return (ShortVector) ByteVector.fromMemorySegment(SHORT_BYTES, w, from, ByteOrder.LITTLE_ENDIAN)
                .lanewise(VectorOperators.XOR, NIBBLE_OFFSETS).convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
    }

    /** The low nibble of each short lane (an offset code). */
    private static ShortVector lowOffsetNibbles(ShortVector codes) {
        return codes.and((short) 0xF);
    }

    /** The high nibble of each short lane (an offset code; the lanes hold one byte). */
    private static ShortVector highOffsetNibbles(ShortVector codes) {
        return codes.lanewise(VectorOperators.LSHR, 4);
    }

    /**
     * Halves widened in registers (the Vector API has no half type): the magnitude bits shifted into
     * a float's place and scaled by 2^112 re-bias the exponent, exactly for normal and subnormal
     * values; the sign rides along in bit 31. Infinities and NaNs are not expected in weights.
     */
    @Override
    public float dotHalf(float[] x, int xFrom, MemorySegment h, long hFrom, int n) {
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i <= n - SHORT_LANES; i += SHORT_LANES) {
            ShortVector halves = ShortVector.fromMemorySegment(SHORTS, h, 2 * (hFrom + i), ByteOrder.LITTLE_ENDIAN);
            acc0 = FloatVector.fromArray(FLOATS, x, xFrom + i).fma(widenHalves(halves, 0), acc0);
            acc1 = FloatVector.fromArray(FLOATS, x, xFrom + i + FLOAT_LANES).fma(widenHalves(halves, 1), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) + TAIL.dotHalf(x, xFrom + i, h, hFrom + i, n - i);
    }

    /** Bytes widened to float lanes (vpmovsxbd and a conversion on x86), two accumulators as for halves. */
    @Override
    public float dotBytes(float[] x, int xFrom, MemorySegment w, long wFrom, int n) {
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i <= n - 2 * FLOAT_LANES; i += 2 * FLOAT_LANES) {
            acc0 = FloatVector.fromArray(FLOATS, x, xFrom + i).fma(byteFloats(w, wFrom + i), acc0);
            acc1 = FloatVector.fromArray(FLOATS, x, xFrom + i + FLOAT_LANES).fma(byteFloats(w, wFrom + i + FLOAT_LANES),
                    acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) + TAIL.dotBytes(x, xFrom + i, w, wFrom + i, n - i);
    }

    /**
     * A group whose pairs fill whole float vectors is summed in vector lanes and scaled there, so the
     * lanes are reduced once per row, not once per group; other group sizes go to the scalar loop.
     */
    @Override
    public float dotNibbleGroups(float[] x, int even, int odd, MemorySegment w, long wFrom, float[] scales, int sFrom,
            int groups, int groupPairs) {
        if (groupPairs % FLOAT_LANES != 0) {
            return TAIL.dotNibbleGroups(x, even, odd, w, wFrom, scales, sFrom, groups, groupPairs);
        }
        FloatVector total = FloatVector.zero(FLOATS);
        for (int g = 0; g < groups; g++) {
            FloatVector acc = FloatVector.zero(FLOATS);
            for (int p = g * groupPairs, end = p + groupPairs; p < end; p += FLOAT_LANES) {
                IntVector bytes = (IntVector) ByteVector.fromMemorySegment(LANE_BYTES, w, wFrom + p, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, INTS, 0);
                acc = FloatVector.fromArray(FLOATS, x, even + p).fma(lowNibbles(bytes), acc);
                acc = FloatVector.fromArray(FLOATS, x, odd + p).fma(highNibbles(bytes), acc);
            }
            total = acc.fma(FloatVector.broadcast(FLOATS, scales[sFrom + g]), total);
        }
        return total.reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector byteFloats(MemorySegment w, long from) {
        return (FloatVector) ByteVector.fromMemorySegment(LANE_BYTES, w, from, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    private static FloatVector widenHalves(ShortVector halves, int part) {
        // Sign-extended, the half's sign lands in bit 31 after the shift; the mask clears the three
        // copies of it that would otherwise fall into the float's exponent.
        IntVector bits = (IntVector) halves.convertShape(VectorOperators.S2I, INTS, part);
        return ((FloatVector) bits.lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretShape(FLOATS, 0))
                .mul(0x1p112f);
    }

    /** The Vector API's EXP (an intrinsic on x86-64) in place of one Math.exp per cached position. */
    @Override
    public float expSum(float[] s, int from, int n, float shift) {
        FloatVector acc = FloatVector.zero(FLOATS);
        int i = 0;
        for (; i <= n - FLOAT_LANES; i += FLOAT_LANES) {
            FloatVector e = FloatVector.fromArray(FLOATS, s, from + i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(s, from + i);
            acc = acc.add(e);
        }
        return acc.reduceLanes(VectorOperators.ADD) + TAIL.expSum(s, from + i, n - i, shift);
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
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) + TAIL.dot(a, aFrom + i, b, bFrom + i, n - i);
    }

    @Override
    public void axpy(float a, float[] x, int xFrom, float[] y, int yFrom, int n) {
        FloatVector va = FloatVector.broadcast(FLOATS, a);
        int i = 0;
        for (; i <= n - FLOAT_LANES; i += FLOAT_LANES) {
            FloatVector.fromArray(FLOATS, x, xFrom + i).fma(va, FloatVector.fromArray(FLOATS, y, yFrom + i))
                    .intoArray(y, yFrom + i);
        }
        TAIL.axpy(a, x, xFrom + i, y, yFrom + i, n - i);
    }

    /** Four vectors of rows per panel: they stay in registers while the panel's columns stream by. */
    @Override
    public int panelRows() {
        return 4 * FLOAT_LANES;
    }

    @Override
    public void panelsTimes(float[] packed, int n, int panels, float[] x, int xFrom, float[] y) {
        int rows = panelRows();
        for (int p = 0; p < panels; p++) {
            FloatVector y0 = FloatVector.zero(FLOATS);
            FloatVector y1 = FloatVector.zero(FLOATS);
            FloatVector y2 = FloatVector.zero(FLOATS);
            FloatVector y3 = FloatVector.zero(FLOATS);
            for (int j = 0, c = p * n * rows; j < n; j++, c += rows) {
                FloatVector xj = FloatVector.broadcast(FLOATS, x[xFrom + j]);
                y0 = FloatVector.fromArray(FLOATS, packed, c).fma(xj, y0);
                y1 = FloatVector.fromArray(FLOATS, packed, c + FLOAT_LANES).fma(xj, y1);
                y2 = FloatVector.fromArray(FLOATS, packed, c + 2 * FLOAT_LANES).fma(xj, y2);
                y3 = FloatVector.fromArray(FLOATS, packed, c + 3 * FLOAT_LANES).fma(xj, y3);
            }
            int at = p * rows;
            y0.intoArray(y, at);
            y1.intoArray(y, at + FLOAT_LANES);
            y2.intoArray(y, at + 2 * FLOAT_LANES);
            y3.intoArray(y, at + 3 * FLOAT_LANES);
        }
    }

    /** One float vector of positions: a block's byte column widens to exactly one vector. */
    @Override
    public int keyBlock() {
        return FLOAT_LANES;
    }

    /**
     * Positions run along the lanes, so no horizontal sums: each byte column widens once and feeds
     * the four queries' accumulators (register blocking; low and high nibbles apart); scales and
     * zero points are applied per block as vectors.
     */
    @Override
    public void scoreKeyBlocks(float[] q, int qFrom, byte[] codes, float[] scales, int[] zeros, int first, int blockStride,
            int blocks, int pairs, float[] out, int outFrom, int outStride) {
        int width = 2 * pairs;
        int q0 = qFrom;
        int q1 = q0 + width;
        int q2 = q1 + width;
        int q3 = q2 + width;
        float sum0 = sum(q, q0, width);
        float sum1 = sum(q, q1, width);
        float sum2 = sum(q, q2, width);
        float sum3 = sum(q, q3, width);
        for (int b = 0; b < blocks; b++) {
            FloatVector e0 = FloatVector.zero(FLOATS);
            FloatVector e1 = FloatVector.zero(FLOATS);
            FloatVector e2 = FloatVector.zero(FLOATS);
            FloatVector e3 = FloatVector.zero(FLOATS);
            FloatVector o0 = FloatVector.zero(FLOATS);
            FloatVector o1 = FloatVector.zero(FLOATS);
            FloatVector o2 = FloatVector.zero(FLOATS);
            FloatVector o3 = FloatVector.zero(FLOATS);
            int slot = first + b * blockStride;
            for (int p = 0, at = slot * pairs; p < pairs; p++, at += FLOAT_LANES) {
                IntVector column = nibbleInts(codes, at);
                FloatVector lo = lowNibbles(column);
                FloatVector hi = highNibbles(column);
                int i = 2 * p;
                e0 = lo.fma(FloatVector.broadcast(FLOATS, q[q0 + i]), e0);
                e1 = lo.fma(FloatVector.broadcast(FLOATS, q[q1 + i]), e1);
                e2 = lo.fma(FloatVector.broadcast(FLOATS, q[q2 + i]), e2);
                e3 = lo.fma(FloatVector.broadcast(FLOATS, q[q3 + i]), e3);
                o0 = hi.fma(FloatVector.broadcast(FLOATS, q[q0 + i + 1]), o0);
                o1 = hi.fma(FloatVector.broadcast(FLOATS, q[q1 + i + 1]), o1);
                o2 = hi.fma(FloatVector.broadcast(FLOATS, q[q2 + i + 1]), o2);
                o3 = hi.fma(FloatVector.broadcast(FLOATS, q[q3 + i + 1]), o3);
            }
            FloatVector scale = FloatVector.fromArray(FLOATS, scales, slot);
            FloatVector zero = (FloatVector) IntVector.fromArray(INTS, zeros, slot).convert(VectorOperators.I2F, 0);
            int at = outFrom + b * FLOAT_LANES;
            e0.add(o0).sub(zero.mul(sum0)).mul(scale).intoArray(out, at);
            e1.add(o1).sub(zero.mul(sum1)).mul(scale).intoArray(out, at + outStride);
            e2.add(o2).sub(zero.mul(sum2)).mul(scale).intoArray(out, at + 2 * outStride);
            e3.add(o3).sub(zero.mul(sum3)).mul(scale).intoArray(out, at + 3 * outStride);
        }
    }

    private static float sum(float[] x, int from, int n) {
        float s = 0f;
        for (int i = from; i < from + n; i++) {
            s += x[i];
        }
        return s;
    }

    /** Column chunks outside, rows inside: each chunk's eight accumulators stay in registers over all rows. */
    @Override
    public void addValueRows(float[] w, int wFrom, int wStride, byte[] codes, int from, int stride, int rows, int pairs,
            float[] acc, int accFrom) {
        int width = 2 * pairs;
        int p = 0;
        for (; p <= pairs - FLOAT_LANES; p += FLOAT_LANES) {
            FloatVector e0 = FloatVector.zero(FLOATS);
            FloatVector e1 = FloatVector.zero(FLOATS);
            FloatVector e2 = FloatVector.zero(FLOATS);
            FloatVector e3 = FloatVector.zero(FLOATS);
            FloatVector o0 = FloatVector.zero(FLOATS);
            FloatVector o1 = FloatVector.zero(FLOATS);
            FloatVector o2 = FloatVector.zero(FLOATS);
            FloatVector o3 = FloatVector.zero(FLOATS);
            for (int r = 0; r < rows; r++) {
                IntVector chunk = nibbleInts(codes, from + r * stride + p);
                FloatVector lo = lowNibbles(chunk);
                FloatVector hi = highNibbles(chunk);
                FloatVector w0 = FloatVector.broadcast(FLOATS, w[wFrom + r]);
                FloatVector w1 = FloatVector.broadcast(FLOATS, w[wFrom + wStride + r]);
                FloatVector w2 = FloatVector.broadcast(FLOATS, w[wFrom + 2 * wStride + r]);
                FloatVector w3 = FloatVector.broadcast(FLOATS, w[wFrom + 3 * wStride + r]);
                e0 = lo.fma(w0, e0);
                e1 = lo.fma(w1, e1);
                e2 = lo.fma(w2, e2);
                e3 = lo.fma(w3, e3);
                o0 = hi.fma(w0, o0);
                o1 = hi.fma(w1, o1);
                o2 = hi.fma(w2, o2);
                o3 = hi.fma(w3, o3);
            }
            addInto(e0, acc, accFrom + p);
            addInto(e1, acc, accFrom + width + p);
            addInto(e2, acc, accFrom + 2 * width + p);
            addInto(e3, acc, accFrom + 3 * width + p);
            addInto(o0, acc, accFrom + pairs + p);
            addInto(o1, acc, accFrom + width + pairs + p);
            addInto(o2, acc, accFrom + 2 * width + pairs + p);
            addInto(o3, acc, accFrom + 3 * width + pairs + p);
        }
        for (; p < pairs; p++) {
            for (int g = 0; g < QUERY_TILE; g++) {
                int sums = accFrom + g * width;
                for (int r = 0; r < rows; r++) {
                    float weight = w[wFrom + g * wStride + r];
                    byte c = codes[from + r * stride + p];
                    acc[sums + p] += weight * Kernels.lowNibble(c);
                    acc[sums + pairs + p] += weight * Kernels.highNibble(c);
                }
            }
        }
    }

    private static void addInto(FloatVector v, float[] a, int at) {
        v.add(FloatVector.fromArray(FLOATS, a, at)).intoArray(a, at);
    }

    /** One float vector's worth of packed bytes, sign-extended to ints (shifts are cheap on int lanes; x86 has no byte shifts). */
    private static IntVector nibbleInts(byte[] codes, int from) {
        return (IntVector) ByteVector.fromArray(LANE_BYTES, codes, from).convertShape(VectorOperators.B2I, INTS, 0);
    }

    private static FloatVector lowNibbles(IntVector bytes) {
        return (FloatVector) bytes.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28)
                .convert(VectorOperators.I2F, 0);
    }

    private static FloatVector highNibbles(IntVector bytes) {
        return (FloatVector) bytes.lanewise(VectorOperators.ASHR, 4).convert(VectorOperators.I2F, 0);
    }

    @Override
    public void butterfly(float[] x, int lo, int hi, int n) {
        int i = 0;
        for (; i <= n - FLOAT_LANES; i += FLOAT_LANES) {
            FloatVector u = FloatVector.fromArray(FLOATS, x, lo + i);
            FloatVector v = FloatVector.fromArray(FLOATS, x, hi + i);
            u.add(v).intoArray(x, lo + i);
            u.sub(v).intoArray(x, hi + i);
        }
        TAIL.butterfly(x, lo + i, hi + i, n - i);
    }

    private static IntVector widen(byte[] array, int from) {
        return (IntVector) ByteVector.fromArray(BYTES, array, from).convertShape(VectorOperators.B2I, INTS, 0);
    }

    private static IntVector widen(MemorySegment bytes, long from) {
        return (IntVector) ByteVector.fromMemorySegment(BYTES, bytes, from, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, INTS, 0);
    }

    @Override
    public String describe() {
        return "Vector API " + INTS.vectorBitSize() + "-bit";
    }
}
