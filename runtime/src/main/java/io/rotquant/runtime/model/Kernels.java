package io.rotquant.runtime.model;

import java.lang.foreign.MemorySegment;

/**
 * The inner loops the model runs on: int8 × int8 dot products with int32 accumulation for the
 * linears; float32 dot, axpy and butterfly for the online rotations. The Vector API
 * implementation is used when the {@code jdk.incubator.vector} module is present
 * ({@code --add-modules jdk.incubator.vector}), the scalar loop otherwise.
 */
interface Kernels {
    /** Σ_{i<n} a[aFrom+i]·b[bFrom+i], exact in int32: activation codes against weight codes where they are stored. */
    int dot(byte[] a, int aFrom, MemorySegment b, long bFrom, int n);

    /**
     * Σ_p even[e+p]·lo(w[wFrom+p]) + odd[e+p]·hi(w[wFrom+p]) over {@code pairs} bytes of packed signed
     * 4-bit weight codes (low nibble: the even column), exact in int32; {@code even}/{@code odd} are
     * the activation codes of the even and odd columns, {@code e} their offset. {@code codeSum} is
     * Σ_p even[e+p] + odd[e+p], which the caller has at hand ({@link Activations#codeSum}): a kernel
     * may work on the weight codes offset to 0..15 (cheaper to unpack) and take 8·codeSum off.
     */
    int dotPacked(short[] even, short[] odd, int e, int codeSum, MemorySegment w, long wFrom, int pairs);

    /** Activation rows {@link #dotPackedTile} takes at once. */
    int PACKED_ROWS = 2;

    /** Weight rows {@link #dotPackedTile} takes at once. */
    int WEIGHT_ROWS = 2;

    /**
     * {@link #dotPacked} of {@link #PACKED_ROWS} activation rows (row r at {@code e + r·stride}, code
     * sum {@code codeSums[r]}) against {@link #WEIGHT_ROWS} weight rows (row k at {@code wFrom +
     * k·wStride}; 0 repeats one row), into {@code out[k·PACKED_ROWS + r]}: a prefill's GEMM tile, where
     * each weight vector is widened once for the activation rows and each activation vector loaded
     * once for the weight rows.
     */
    default void dotPackedTile(short[] even, short[] odd, int e, int stride, int[] codeSums, MemorySegment w, long wFrom,
            long wStride, int pairs, int[] out) {
        for (int k = 0; k < WEIGHT_ROWS; k++) {
            for (int r = 0; r < PACKED_ROWS; r++) {
                out[k * PACKED_ROWS + r] = dotPacked(even, odd, e + r * stride, codeSums[r], w, wFrom + k * wStride, pairs);
            }
        }
    }

    /** Weight rows {@link #blockProducts} takes at once. */
    int BLOCK_ROWS = 8;

    /**
     * Columns a group may have for {@link #blockProducts} to be exact in float32: a product of an
     * 8-bit activation code and a 4-bit weight code is at most 1,024 in magnitude, so every partial
     * sum of 16,384 of them is an integer below 2^24.
     */
    int EXACT_FLOAT_COLUMNS = 1 << 14;

    /** Activation rows per block of {@link #blockProducts}: they run along the float lanes. */
    int blockTokens();

    /**
     * A prefill's GEMM block on floats: for the B = {@link #blockTokens()} activation rows t and
     * {@link #BLOCK_ROWS} weight rows k, out[k·B + t] = Σ_{p∈[from,to)} xEven[xFrom + p·B + t]·wEven[k·wStride + p]
     * + xOdd[xFrom + p·B + t]·wOdd[k·wStride + p]. The operands are integer codes held as floats (the
     * activations transposed so rows run along the lanes, the weights unpacked by {@link #unpackNibbles}),
     * so the sums are exact integers while {@code 2·(to − from)} ≤ {@link #EXACT_FLOAT_COLUMNS}: the same
     * numbers as {@link #dotPacked}, from fused multiply-adds, the widest multiply the Vector API has.
     */
    void blockProducts(float[] xEven, float[] xOdd, int xFrom, float[] wEven, float[] wOdd, int wStride, int from, int to,
            float[] out);

    /** Packed signed 4-bit codes as floats: even[at + p] = lo(w[wFrom + p]), odd[at + p] = hi(w[wFrom + p]) for p < pairs. */
    void unpackNibbles(MemorySegment w, long wFrom, int pairs, float[] even, float[] odd, int at);

    /** s[from+i] ← exp(s[from+i] − shift) for i < n, returning their sum: a softmax's numerators and denominator. */
    float expSum(float[] s, int from, int n, float shift);

    /** Σ_{i<n} x[xFrom+i]·half(h[hFrom+i]) in float32, h holding IEEE half-precision bits (finite values). */
    float dotHalf(float[] x, int xFrom, MemorySegment h, long hFrom, int n);

    /** Σ_{i<n} x[xFrom+i]·w[wFrom+i] in float32, w holding signed 8-bit codes. */
    float dotBytes(float[] x, int xFrom, MemorySegment w, long wFrom, int n);

    /**
     * Σ_g scales[sFrom+g]·Σ_{p in group g} (x[even+p]·lo(w[wFrom+p]) + x[odd+p]·hi(w[wFrom+p])) in
     * float32 over {@code groups} groups of {@code groupPairs} bytes of packed signed 4-bit codes:
     * a row of a 4-bit token table against a vector split into even and odd columns.
     */
    float dotNibbleGroups(float[] x, int even, int odd, MemorySegment w, long wFrom, float[] scales, int sFrom,
            int groups, int groupPairs);

    /** Σ_{i<n} a[aFrom+i]·b[bFrom+i] in float32 (summation order is the implementation's). */
    float dot(float[] a, int aFrom, float[] b, int bFrom, int n);

    /** y[yFrom+i] += a·x[xFrom+i] for i < n. */
    void axpy(float a, float[] x, int xFrom, float[] y, int yFrom, int n);

    /** Rows per panel of a packed matrix (see {@link #panelsTimes}). */
    int panelRows();

    /**
     * y = M·x for an n-column matrix packed in panels of P = {@link #panelRows()} rows, each panel
     * column by column: {@code packed[(p·n + j)·P + r] = M[p·P + r][j]}, rows past the end zero.
     * Writes {@code panels·P} values of y.
     */
    void panelsTimes(float[] packed, int n, int panels, float[] x, int xFrom, float[] y);

    /** Query rows that {@link #scoreKeyBlocks} and {@link #addValueRows} take at once; callers pad to a multiple. */
    int QUERY_TILE = 4;

    /** Positions per block of the packed key cache (see {@link #scoreKeyBlocks}). */
    int keyBlock();

    /**
     * Attention scores of {@link #QUERY_TILE} query rows against {@code blocks} blocks of keys
     * quantized to signed 4-bit codes c with per-row scale s and zero point z (key ≈ s·(c − z)).
     * A block holds B = {@link #keyBlock()} rows in B consecutive slots; block b's first slot is
     * {@code first + b·blockStride}; slot n has scales[n], zeros[n] and, for n = m·B + k, the bytes
     * codes[m·B·pairs + p·B + k] for p < pairs (low nibble: element 2p). Writes
     * out[outFrom + g·outStride + b·B + k] = q_g·key, with query row g at q[qFrom + g·2·pairs ..].
     */
    void scoreKeyBlocks(float[] q, int qFrom, byte[] codes, float[] scales, int[] zeros, int first, int blockStride,
            int blocks, int pairs, float[] out, int outFrom, int outStride);

    /**
     * Weighted sums of {@code rows} packed signed 4-bit value rows (row r at codes[from + r·stride ..],
     * {@code pairs} bytes) for {@link #QUERY_TILE} weight rows (w_g[r] = w[wFrom + g·wStride + r]),
     * de-interleaved: acc[accFrom + g·2·pairs + p] += Σ_r w_g[r]·lo(byte p) and
     * acc[accFrom + g·2·pairs + pairs + p] += Σ_r w_g[r]·hi(byte p).
     */
    void addValueRows(float[] w, int wFrom, int wStride, byte[] codes, int from, int stride, int rows, int pairs,
            float[] acc, int accFrom);

    /** The Walsh–Hadamard butterfly on two runs of n values: (u, v) ← (u + v, u − v) for u = x[lo+i], v = x[hi+i]. */
    void butterfly(float[] x, int lo, int hi, int n);

    /** A short description for the banner: backend and vector width. */
    String describe();

    /** The low nibble of a packed byte as a signed 4-bit value (the even element). */
    static int lowNibble(byte b) {
        return (b << 28) >> 28;
    }

    /** The high nibble of a packed byte as a signed 4-bit value (the odd element). */
    static int highNibble(byte b) {
        return b >> 4;
    }

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
