package io.rotquant.runtime.model;

import io.rotquant.runtime.artifact.ModelSpec;

/**
 * Causal grouped-query attention of new query rows over one layer's K/V cache. One task per
 * (token, KV head): the query heads that share a KV head are scored together, so each cached row is
 * widened once per group instead of once per query head.
 */
final class Attention {
    private final ModelSpec spec;
    private final Kernels kernels;
    private final Parallel parallel;

    Attention(ModelSpec spec, Kernels kernels, Parallel parallel) {
        this.spec = spec;
        this.kernels = kernels;
        this.parallel = parallel;
    }

    /**
     * Attention outputs [count × qDim] for the queries of tokens at positions start .. start+count,
     * whose keys and values are already in the cache.
     */
    float[] apply(KvRows keys, KvRows values, float[] q, int count, int start) {
        int dh = spec.headDim();
        int kvHeads = spec.numKvHeads();
        int group = spec.numHeads() / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(dh));
        float[] out = new float[count * spec.qDim()];
        parallel.forEach(count * kvHeads, task -> {
            int t = task / kvHeads;
            int kv = task % kvHeads;
            int qFrom = t * spec.qDim() + kv * group * dh;
            int length = start + t + 1;
            int stride = keys.scoreStride(length);
            float[] weights = new float[keys.scoreRows(group) * stride];
            keys.scores(length, kv, q, qFrom, group, weights, stride);
            for (int g = 0; g < group; g++) {
                softmax(weights, g * stride, length, scale);
            }
            values.weightedSum(length, kv, weights, stride, group, out, qFrom);
        });
        return out;
    }

    /** w[from .. from+n) ← softmax(scale·w). */
    private void softmax(float[] w, int from, int n, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = from; j < from + n; j++) {
            w[j] *= scale;
            max = Math.max(max, w[j]);
        }
        float inverse = 1f / kernels.expSum(w, from, n, max);
        for (int j = from; j < from + n; j++) {
            w[j] *= inverse;
        }
    }
}
