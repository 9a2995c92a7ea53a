package io.rotquant.runtime.model;

import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The portable kernels: plain loops (four float accumulators, so that the float loop is not one long dependency chain). */
final class ScalarKernels implements Kernels {
    @Override
    public int dot(byte[] a, int aFrom, MemorySegment b, long bFrom, int n) {
        int acc = 0;
        for (int i = 0; i < n; i++) {
            acc += a[aFrom + i] * b.get(ValueLayout.JAVA_BYTE, bFrom + i);
        }
        return acc;
    }

    /** On the signed codes as stored: the code sum is not needed. */
    @Override
    public int dotPacked(short[] even, short[] odd, int e, int codeSum, MemorySegment w, long wFrom, int pairs) {
        int acc = 0;
        for (int p = 0; p < pairs; p++) {
            byte b = w.get(ValueLayout.JAVA_BYTE, wFrom + p);
            acc += even[e + p] * Kernels.lowNibble(b) + odd[e + p] * Kernels.highNibble(b);
        }
        return acc;
    }

    /** Any block height does for plain loops; eight lets prefills of eight rows or more take the block. */
    @Override
    public int blockTokens() {
        return 8;
    }

    @Override
    public void blockProducts(float[] xEven, float[] xOdd, int xFrom, float[] wEven, float[] wOdd, int wStride, int from,
            int to, float[] out) {
        int tokens = blockTokens();
        for (int k = 0; k < BLOCK_ROWS; k++) {
            for (int t = 0; t < tokens; t++) {
                float acc = 0f;
                for (int p = from; p < to; p++) {
                    int at = xFrom + p * tokens + t;
                    acc += xEven[at] * wEven[k * wStride + p] + xOdd[at] * wOdd[k * wStride + p];
                }
                out[k * tokens + t] = acc;
            }
        }
    }

    @Override
    public void unpackNibbles(MemorySegment w, long wFrom, int pairs, float[] even, float[] odd, int at) {
        for (int p = 0; p < pairs; p++) {
            byte b = w.get(ValueLayout.JAVA_BYTE, wFrom + p);
            even[at + p] = Kernels.lowNibble(b);
            odd[at + p] = Kernels.highNibble(b);
        }
    }

    @Override
    public float expSum(float[] s, int from, int n, float shift) {
        float sum = 0f;
        for (int i = from; i < from + n; i++) {
            s[i] = (float) Math.exp(s[i] - shift);
            sum += s[i];
        }
        return sum;
    }

    @Override
    public float dotHalf(float[] x, int xFrom, MemorySegment h, long hFrom, int n) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            acc += x[xFrom + i] * Float.float16ToFloat(h.getAtIndex(SafetensorsFile.F16, hFrom + i));
        }
        return acc;
    }

    @Override
    public float dotNibbleGroups(float[] x, int even, int odd, MemorySegment w, long wFrom, float[] scales, int sFrom,
            int groups, int groupPairs) {
        float sum = 0f;
        for (int g = 0; g < groups; g++) {
            float acc = 0f;
            for (int p = g * groupPairs; p < (g + 1) * groupPairs; p++) {
                byte b = w.get(ValueLayout.JAVA_BYTE, wFrom + p);
                acc += x[even + p] * Kernels.lowNibble(b) + x[odd + p] * Kernels.highNibble(b);
            }
            sum += scales[sFrom + g] * acc;
        }
        return sum;
    }

    @Override
    public float dotBytes(float[] x, int xFrom, MemorySegment w, long wFrom, int n) {
        float acc = 0f;
        for (int i = 0; i < n; i++) {
            acc += x[xFrom + i] * w.get(ValueLayout.JAVA_BYTE, wFrom + i);
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
    public void axpy(float a, float[] x, int xFrom, float[] y, int yFrom, int n) {
        for (int i = 0; i < n; i++) {
            y[yFrom + i] += a * x[xFrom + i];
        }
    }

    /** One row per panel: the packed matrix is M row-major, and each output is a dot product. */
    @Override
    public int panelRows() {
        return 1;
    }

    @Override
    public void panelsTimes(float[] packed, int n, int panels, float[] x, int xFrom, float[] y) {
        for (int p = 0; p < panels; p++) {
            y[p] = dot(packed, p * n, x, xFrom, n);
        }
    }

    @Override
    public int keyBlock() {
        return 8;
    }

    @Override
    public void scoreKeyBlocks(float[] q, int qFrom, byte[] codes, float[] scales, int[] zeros, int first, int blockStride,
            int blocks, int pairs, float[] out, int outFrom, int outStride) {
        int block = keyBlock();
        for (int g = 0; g < QUERY_TILE; g++) {
            int row = qFrom + g * 2 * pairs;
            float sum = 0f;
            for (int i = 0; i < 2 * pairs; i++) {
                sum += q[row + i];
            }
            for (int b = 0; b < blocks; b++) {
                int slot = first + b * blockStride;
                for (int k = 0; k < block; k++) {
                    float acc = 0f;
                    for (int p = 0; p < pairs; p++) {
                        byte c = codes[slot * pairs + p * block + k];
                        acc += q[row + 2 * p] * Kernels.lowNibble(c) + q[row + 2 * p + 1] * Kernels.highNibble(c);
                    }
                    out[outFrom + g * outStride + b * block + k] = scales[slot + k] * (acc - zeros[slot + k] * sum);
                }
            }
        }
    }

    @Override
    public void addValueRows(float[] w, int wFrom, int wStride, byte[] codes, int from, int stride, int rows, int pairs,
            float[] acc, int accFrom) {
        for (int g = 0; g < QUERY_TILE; g++) {
            int sums = accFrom + g * 2 * pairs;
            for (int r = 0; r < rows; r++) {
                float weight = w[wFrom + g * wStride + r];
                for (int p = 0; p < pairs; p++) {
                    byte c = codes[from + r * stride + p];
                    acc[sums + p] += weight * Kernels.lowNibble(c);
                    acc[sums + pairs + p] += weight * Kernels.highNibble(c);
                }
            }
        }
    }

    @Override
    public void butterfly(float[] x, int lo, int hi, int n) {
        for (int i = 0; i < n; i++) {
            float u = x[lo + i];
            float v = x[hi + i];
            x[lo + i] = u + v;
            x[hi + i] = u - v;
        }
    }

    @Override
    public String describe() {
        return "scalar";
    }
}
