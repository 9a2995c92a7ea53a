package io.rotquant.compiler.model;

import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The causal LLaMA forward pass over a batch of token sequences, with the online rotations and the
 * activation/KV fake quantizers of a WxAyKVz setting. Stateless between calls (no KV cache): each
 * call computes every position. Exposed layer by layer for layer-sequential weight quantization.
 */
public final class LlamaModel {
    private final ModelConfig config;
    private final ModelWeights weights;
    private final OnlineRotations online;
    private final QuantSettings quant;
    private final ScalarType dtype;
    private final Device device;
    private final Rope rope;

    public LlamaModel(ModelConfig config, ModelWeights weights, OnlineRotations online, QuantSettings quant,
            ScalarType dtype, Device device) {
        this.config = config;
        this.weights = weights;
        this.online = online;
        this.quant = quant;
        this.dtype = dtype;
        this.device = device;
        this.rope = new Rope(config);
    }

    public ModelConfig config() {
        return config;
    }

    public Device device() {
        return device;
    }

    public OnlineRotations online() {
        return online;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** Float32 logits [B, T, vocab] for int64 token ids [B, T] (tensors attached to the caller's scope). */
    public Tensor logits(Tensor ids) {
        return head(hidden(ids));
    }

    /** The residual stream after the last layer, [B, T, d], for int64 token ids [B, T]. */
    public Tensor hidden(Tensor ids) {
        Tensor[] cosSin = ropeTables(ids.size(1));
        Tensor h = embed(ids);
        for (int i = 0; i < config.numLayers(); i++) {
            h = layer(i, h, cosSin, LinearInputObserver.NONE);
        }
        return h;
    }

    /** The residual stream entering layer 0: [B, T, d]. */
    public Tensor embed(Tensor ids) {
        return weights.embed().index_select(0, ids.reshape(-1)).view(ids.size(0), ids.size(1), config.hiddenSize());
    }

    /** RoPE cos and sin tables for positions 0..length-1. */
    public Tensor[] ropeTables(long length) {
        return rope.tables(length, dtype, device);
    }

    /** Float32 logits from the residual stream after the last layer. */
    public Tensor head(Tensor h) {
        return NativeScope.keep(() -> linear(rmsNorm(h, weights.finalNorm()), weights.lmHead()).to(ScalarType.Float));
    }

    /**
     * Layer {@code index} applied to the residual stream h, intermediates freed on return; null if
     * the observer stopped it early.
     */
    public Tensor layer(int index, Tensor h, Tensor[] cosSin, LinearInputObserver observer) {
        return NativeScope.keep(() -> block(index, weights.layer(index), h, cosSin[0], cosSin[1], observer));
    }

    /** Layer {@code index} with explicit weights (the training graph's rotated ones), intermediates freed on return. */
    public Tensor layer(int index, LayerWeights w, Tensor h, Tensor[] cosSin) {
        return NativeScope.keep(() -> block(index, w, h, cosSin[0], cosSin[1], LinearInputObserver.NONE));
    }

    /**
     * The attention half of layer {@code index}: h + o(attention(norm(h))), the residual stream the
     * MLP reads, intermediates freed on return; null if the observer stopped it early.
     */
    public Tensor attentionHalf(int index, Tensor h, Tensor[] cosSin, LinearInputObserver observer) {
        return NativeScope.keep(() -> attention(index, weights.layer(index), h, cosSin[0], cosSin[1], observer));
    }

    /** The MLP half of layer {@code index} on the stream {@link #attentionHalf} gave; null if the observer stopped it. */
    public Tensor mlpHalf(int index, Tensor h, LinearInputObserver observer) {
        return NativeScope.keep(() -> mlp(index, weights.layer(index), h, observer));
    }

    /**
     * The end of a half-layer from the input {@code group} (O or DOWN) saw in an observed pass:
     * h + that linear on it, so a caller that kept the input need not run the half again.
     */
    public Tensor finish(int index, LinearGroup group, Tensor h, Tensor input) {
        LayerWeights w = weights.layer(index);
        Tensor weight = switch (group) {
            case O -> w.o();
            case DOWN -> w.down();
            default -> throw new IllegalArgumentException(group + " does not end a half-layer");
        };
        return NativeScope.keep(() -> project(h, input, weight));
    }

    private Tensor block(int index, LayerWeights w, Tensor h, Tensor cos, Tensor sin, LinearInputObserver observer) {
        Tensor afterAttention = attention(index, w, h, cos, sin, observer);
        return afterAttention == null ? null : mlp(index, w, afterAttention, observer);
    }

    private Tensor attention(int index, LayerWeights w, Tensor h, Tensor cos, Tensor sin, LinearInputObserver observer) {
        long batch = h.size(0);
        long length = h.size(1);
        Tensor a = rmsNorm(h, w.inputNorm());
        if (!observer.observe(LinearGroup.QKV, a)) {
            return null;
        }
        a = quant.inputs().apply(a);
        LayerWeights.QkvBiases b = w.biases();
        Tensor q = heads(biased(linear(a, w.q()), b == null ? null : b.q()), config.numHeads());
        Tensor k = heads(biased(linear(a, w.k()), b == null ? null : b.k()), config.numKvHeads());
        Tensor v = quant.values().apply(heads(biased(linear(a, w.v()), b == null ? null : b.v()), config.numKvHeads()));
        q = rope.apply(q, cos, sin);
        k = rope.apply(k, cos, sin);
        if (online.r3() != null) {
            q = rotate(online.r3(), index, q);
            k = rotate(online.r3(), index, k);
        }
        k = quant.keys().apply(k);
        Tensor attention = torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, true,
                new DoubleOptional(), config.numHeads() != config.numKvHeads());
        Tensor merged = attention.transpose(1, 2).reshape(batch, length, (long) config.qDim());
        if (!observer.observe(LinearGroup.O, merged)) {
            return null;
        }
        return project(h, merged, w.o());
    }

    private Tensor mlp(int index, LayerWeights w, Tensor h, LinearInputObserver observer) {
        Tensor m = rmsNorm(h, w.postNorm());
        if (!observer.observe(LinearGroup.GATE_UP, m)) {
            return null;
        }
        m = quant.inputs().apply(m);
        Tensor gated = torch.silu(linear(m, w.gate())).mul(linear(m, w.up()));
        if (online.r4() != null) {
            gated = rotate(online.r4(), index, gated);
        }
        if (!observer.observe(LinearGroup.DOWN, gated)) {
            return null;
        }
        return project(h, gated, w.down());
    }

    /** The residual stream plus a linear of its (activation-quantized) input. */
    private Tensor project(Tensor h, Tensor input, Tensor weight) {
        return h.add(linear(quant.inputs().apply(input), weight));
    }

    /** [B, T, heads·dh] → [B, heads, T, dh]. */
    private Tensor heads(Tensor x, int count) {
        return x.view(x.size(0), x.size(1), count, config.headDim()).transpose(1, 2);
    }

    private static Tensor biased(Tensor y, Tensor bias) {
        return bias == null ? y : y.add(bias);
    }

    private static Tensor linear(Tensor x, Tensor weight) {
        return x.matmul(weight.t());
    }

    /** HF RMSNorm: statistics in fp32, cast back to the activation dtype, then the weight (if any). */
    private Tensor rmsNorm(Tensor x, Tensor gamma) {
        Tensor xf = x.to(ScalarType.Float);
        Tensor variance = xf.pow(Tensors.scalar(2)).mean(new long[] {-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        Tensor normed = xf.mul(torch.rsqrt(variance.add(Tensors.scalar(config.rmsNormEps())))).to(x.scalar_type());
        return gamma == null ? normed : normed.mul(gamma);
    }

    /** Online rotations run in fp32 whatever the model dtype. */
    private static Tensor rotate(OnlineRotation rotation, int layer, Tensor x) {
        return rotation.apply(layer, x.to(ScalarType.Float)).to(x.scalar_type());
    }
}
