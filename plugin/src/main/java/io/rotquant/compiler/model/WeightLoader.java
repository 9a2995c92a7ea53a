package io.rotquant.compiler.model;

import io.rotquant.compiler.checkpoint.Checkpoint;
import io.rotquant.compiler.checkpoint.TensorLoader;
import io.rotquant.compiler.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Loads a checkpoint's weights layer by layer, optionally through a {@link WeightTransform} that
 * works in float64 (norm fusion and rotations), and keeps them in the compute dtype. Only one
 * layer's float64 copy exists at a time.
 */
public final class WeightLoader {
    private final Checkpoint checkpoint;
    private final ScalarType dtype;
    private final Device device;

    public WeightLoader(Checkpoint checkpoint, ScalarType dtype, Device device) {
        this.checkpoint = checkpoint;
        this.dtype = dtype;
        this.device = device;
    }

    /** The weights as stored. */
    public ModelWeights load() {
        return load(null);
    }

    /** The weights after {@code transform} (null: as stored). */
    public ModelWeights load(WeightTransform transform) {
        ModelConfig c = checkpoint.config();
        ScalarType working = transform == null ? dtype : ScalarType.Double;
        try (TensorLoader loader = new TensorLoader()) {
            Tensor embed;
            Tensor finalNorm;
            Tensor head;
            try (PointerScope scope = new PointerScope()) {
                Tensor e = read(loader, "model.embed_tokens.weight", working, c.vocabSize(), c.hiddenSize());
                Tensor norm = read(loader, "model.norm.weight", working, c.hiddenSize());
                Tensor lm = c.tieWordEmbeddings() && !checkpoint.has("lm_head.weight")
                        ? (transform == null ? e : e.clone())
                        : read(loader, "lm_head.weight", working, c.vocabSize(), c.hiddenSize());
                if (transform != null) {
                    embed = keep(transform.embedding(e));
                    head = keep(transform.head(lm, norm));
                    finalNorm = null;
                } else {
                    embed = keep(e);
                    head = lm == e ? embed : keep(lm);
                    finalNorm = keep(norm);
                }
            }
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < c.numLayers(); i++) {
                try (PointerScope scope = new PointerScope()) {
                    LayerWeights raw = readLayer(loader, i, working);
                    LayerWeights w = transform == null ? raw : transform.layer(i, raw);
                    layers.add(new LayerWeights(keepOrNull(w.inputNorm()), keep(w.q()), keep(w.k()), keep(w.v()),
                            keep(w.o()), keepOrNull(w.postNorm()), keep(w.gate()), keep(w.up()), keep(w.down())));
                }
            }
            return new ModelWeights(embed, List.copyOf(layers), finalNorm, head);
        }
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
                read(loader, p + "mlp.down_proj.weight", working, d, inter));
    }

    private Tensor read(TensorLoader loader, String name, ScalarType as, long... shape) {
        return loader.load(checkpoint.require(name, shape), as, device);
    }

    /** The compute-dtype copy, kept alive past the current scope (owned by ModelWeights). */
    private Tensor keep(Tensor t) {
        Tensor out = t.to(dtype).contiguous();
        out.retainReference();
        return out;
    }

    private Tensor keepOrNull(Tensor t) {
        return t == null ? null : keep(t);
    }
}
