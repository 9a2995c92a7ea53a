package io.rotquant.compiler.rotation;

import io.rotquant.compiler.model.OnlineRotation;
import java.util.List;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * R3 as dense matrices, one per layer per KV head ([kv heads, d_h, d_h] per layer), applied by
 * matmul to [batch, heads, tokens, d_h]: a query head uses the matrix of the KV head it reads, so
 * {@code q·kᵀ} is unchanged under GQA (specification.md §8.1).
 */
public final class HeadRotations implements OnlineRotation {
    private final List<Tensor> perLayer;

    public HeadRotations(List<Tensor> perLayer) {
        this.perLayer = perLayer;
    }

    /** Layer {@code layer}'s matrices, [KV heads, d_h, d_h]. */
    public Tensor matrices(int layer) {
        return perLayer.get(layer);
    }

    @Override
    public Tensor apply(int layer, Tensor x) {
        Tensor r = perLayer.get(layer).to(x.scalar_type());
        long heads = x.size(1);
        if (heads != r.size(0)) {
            r = r.repeat_interleave(heads / r.size(0), new LongOptional(0), new LongOptional());
        }
        return x.matmul(r);
    }

    @Override
    public String toString() {
        return "matmul " + perLayer.get(0).size(1) + " per layer per KV head";
    }
}
