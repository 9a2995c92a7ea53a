// One GPTQ block for all rows at once: thread t owns row r and sweeps the block's columns left
// to right, exactly the column step of Gptq.java. Rows never interact, so the sweep, sequential
// in columns, is parallel in rows; its values live in shared memory, one column of the slab per
// thread (slab[k * T + t]), so the inner update is bank-conflict free.
//   w       [count, rows] the block transposed; on return, each column's scaled rounding error
//   codes   [count, rows] out: the integer codes, as floats
//   u       the block's square of the upper Cholesky factor of H^-1, row stride ldu
//   scales  scales[i * scaleStride + r]: 0 for one scale per row, rows for one per column
extern "C" __global__ void gptq_block(float* __restrict__ w, float* __restrict__ codes,
        const float* __restrict__ u, const float* __restrict__ scales, int rows, int count, int ldu,
        int scaleStride, float lowest, float highest) {
    extern __shared__ float slab[];
    const int T = blockDim.x;
    const int t = threadIdx.x;
    const int r = blockIdx.x * T + t;
    const bool live = r < rows;
    for (int k = 0; k < count; k++) {
        slab[k * T + t] = live ? w[(size_t) k * rows + r] : 0.0f;
    }
    for (int i = 0; i < count; i++) {
        const float x = slab[i * T + t];
        const float s = live ? scales[(size_t) i * scaleStride + r] : 1.0f;
        const float q = fminf(fmaxf(rintf(x / s), lowest), highest);
        const float e = (x - q * s) / u[(size_t) i * ldu + i];
        slab[i * T + t] = e;
        if (live) {
            codes[(size_t) i * rows + r] = q;
        }
        const float* ui = u + (size_t) i * ldu;
        for (int k = i + 1; k < count; k++) {
            slab[k * T + t] -= e * ui[k];
        }
    }
    if (live) {
        for (int k = 0; k < count; k++) {
            w[(size_t) k * rows + r] = slab[k * T + t];
        }
    }
}
