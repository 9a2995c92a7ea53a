package io.rotquant.compiler.model;

import io.rotquant.compiler.checkpoint.Checkpoint;
import io.rotquant.compiler.checkpoint.TensorEntry;
import io.rotquant.compiler.checkpoint.TensorLoader;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Reads a checkpoint's weights piece by piece (the embedding, one layer, the head), optionally
 * through a {@link WeightTransform} that works in float64 (norm fusion and rotations), and hands
 * them back in the compute dtype, owned by the caller. Each call maps the shards anew and unmaps
 * them on return, and the float64 copies exist only inside the call (the vocabulary matrices in
 * row chunks), so resident memory stays near what the caller keeps.
 */
public final class WeightLoader {
    /** Rows of the embedding or head transformed at a time (64 MB of float64 at d = 2048). */
    private static final long CHUNK_ROWS = 4096;

    private final Checkpoint checkpoint;
    private final ScalarType dtype;
    private final Device device;
    private final WeightTransform transform;

    /** {@code transform} null: the weights as stored. */
    public WeightLoader(Checkpoint checkpoint, ScalarType dtype, Device device, WeightTransform transform) {
        this.checkpoint = checkpoint;
        this.dtype = dtype;
        this.device = device;
        this.transform = transform;
    }

    /** The head of a model: the final norm's weight (null once fused) and lm_head. */
    public record Head(Tensor finalNorm, Tensor lmHead) {
    }

    /** The (transformed) token embedding [vocab, d]. */
    public Tensor embedding() {
        ModelConfig c = checkpoint.config();
        TensorEntry entry = checkpoint.require("model.embed_tokens.weight", c.vocabSize(), c.hiddenSize());
        return rows(entry, null);
    }

    /**
     * The head. Tied and untransformed, lm_head is {@code embedding} itself; with a transform it is
     * a separate matrix (the norm fusion and rotation differ from the embedding's).
     */
    public Head head(Tensor embedding) {
        ModelConfig c = checkpoint.config();
        boolean tied = c.tieWordEmbeddings() && !checkpoint.has("lm_head.weight");
        TensorEntry lm = tied
                ? checkpoint.require("model.embed_tokens.weight", c.vocabSize(), c.hiddenSize())
                : checkpoint.require("lm_head.weight", c.vocabSize(), c.hiddenSize());
        try (TensorLoader loader = new TensorLoader(); PointerScope scope = new PointerScope()) {
            Tensor norm = read(loader, "model.norm.weight", working(), c.hiddenSize());
            if (transform == null) {
                return new Head(owned(norm), tied ? embedding : rows(lm, null));
            }
            return new Head(null, rows(lm, norm));
        }
    }

    /** Layer {@code index}, transformed. */
    public LayerWeights layer(int index) {
        try (TensorLoader loader = new TensorLoader(); PointerScope scope = new PointerScope()) {
            LayerWeights raw = readLayer(loader, index, working());
            LayerWeights w = transform == null ? raw : transform.layer(index, raw);
            return w.map(this::owned);
        }
    }

    /**
     * A vocabulary matrix in the compute dtype, transformed in row chunks: as an embedding when
     * {@code headNorm} is null, else as the head with that final norm.
     */
    private Tensor rows(TensorEntry entry, Tensor headNorm) {
        long vocab = entry.shape()[0];
        try (TensorLoader loader = new TensorLoader()) {
            if (transform == null) {
                return NativeScope.owned(() -> loader.load(entry, dtype, device).contiguous());
            }
            Tensor out = NativeScope.owned(() -> Tensors.empty(entry.shape(), dtype, device));
            for (long first = 0; first < vocab; first += CHUNK_ROWS) {
                long count = Math.min(CHUNK_ROWS, vocab - first);
                try (PointerScope scope = new PointerScope()) {
                    Tensor chunk = loader.loadRows(entry, first, count, ScalarType.Double, device);
                    Tensor rotated = headNorm == null ? transform.embedding(chunk) : transform.head(chunk, headNorm);
                    out.narrow(0, first, count).copy_(rotated);
                }
            }
            return out;
        }
    }

    private ScalarType working() {
        return transform == null ? dtype : ScalarType.Double;
    }

    private LayerWeights readLayer(TensorLoader loader, int i, ScalarType working) {
        ModelConfig c = checkpoint.config();
        String p = "model.layers." + i + ".";
        long d = c.hiddenSize();
        long inter = c.intermediateSize();
        return new LayerWeights(
                read(loader, p + "input_layernorm.weight", working, d),
                read(loader, p + "self_attn.q_proj.weight", working, c.qDim(), d),
                read(loader, p + "self_attn.k_proj.weight", working, c.kvDim(), d),
                read(loader, p + "self_attn.v_proj.weight", working, c.kvDim(), d),
                read(loader, p + "self_attn.o_proj.weight", working, d, c.qDim()),
                read(loader, p + "post_attention_layernorm.weight", working, d),
                read(loader, p + "mlp.gate_proj.weight", working, inter, d),
                read(loader, p + "mlp.up_proj.weight", working, inter, d),
                read(loader, p + "mlp.down_proj.weight", working, d, inter),
                c.qkvBias() ? new LayerWeights.QkvBiases(read(loader, p + "self_attn.q_proj.bias", working, c.qDim()),
                        read(loader, p + "self_attn.k_proj.bias", working, c.kvDim()),
                        read(loader, p + "self_attn.v_proj.bias", working, c.kvDim())) : null);
    }

    private Tensor read(TensorLoader loader, String name, ScalarType as, long... shape) {
        return loader.load(checkpoint.require(name, shape), as, device);
    }

    /** The compute-dtype copy, owned by the caller. */
    private Tensor owned(Tensor t) {
        Tensor out = t.to(dtype).contiguous();
        out.retainReference();
        return out;
    }
}
