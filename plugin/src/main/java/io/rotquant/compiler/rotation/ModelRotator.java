package io.rotquant.compiler.rotation;

import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.model.LayerWeights;
import io.rotquant.compiler.model.OnlineRotation;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.model.WeightTransform;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Fuses the RMSNorm weights into the following linears and applies the offline rotations in
 * float64 (specification.md §2.1, §3.1): R1 on the residual stream (input side of q/k/v/gate/up and
 * the head, output side of o/down, the embedding rows), R2 per head on the V output and the o_proj
 * input, and the offline half of R4 on down_proj's input. The matching online rotations are
 * returned by {@link #online()}: fixed Walsh–Hadamard transforms, or DuaRot's trained matrices.
 * The norm fusion and the rotation are separate so that learned rotations can train on the fused
 * weights with {@link #rotate} in their autograd graph.
 */
public final class ModelRotator implements WeightTransform {
    private final ModelConfig config;
    private final Tensor r1;
    private final List<Tensor> r2;
    private final OnlineRotation r3;
    private final OnlineRotation r4;

    /**
     * R1 [d, d] and one R2 per layer, float64 on the weights' device; null for identities. An R2 is
     * [d_h, d_h] (shared by the layer's heads) or [kv heads, d_h, d_h] (one per KV head, applied to
     * that head's V rows and to the o_proj columns of every query head reading it).
     */
    public ModelRotator(ModelConfig config, Tensor r1, List<Tensor> r2, OnlineRotation r3, OnlineRotation r4) {
        if (r2 != null && r2.size() != config.numLayers()) {
            throw new IllegalArgumentException("need one R2 per layer, got " + r2.size());
        }
        this.config = config;
        this.r1 = r1;
        this.r2 = r2;
        this.r3 = r3;
        this.r4 = r4;
    }

    /** R1 and R2 as given, R3 and R4 the fixed Walsh–Hadamard transforms (QuaRot, SpinQuant, DFRot). */
    public ModelRotator(ModelConfig config, Tensor r1, List<Tensor> r2) {
        this(config, r1, r2, headHadamard(config), intermediateHadamard(config));
    }

    public static HadamardTransform headHadamard(ModelConfig config) {
        return HadamardTransform.ofSize(config.headDim(), "head_dim");
    }

    public static HadamardTransform intermediateHadamard(ModelConfig config) {
        return HadamardTransform.ofSize(config.intermediateSize(), "intermediate_size");
    }

    /** Norm fusion only (no R1, R2, R4): the weights that learned rotations train on. */
    public static ModelRotator fusionOnly(ModelConfig config) {
        return new ModelRotator(config, null, null, null, null);
    }

    /** The rotator for a fixed {@code --rotation} kind, all matrices drawn from {@code seed}. */
    public static ModelRotator create(ModelConfig config, RotationKind kind, long seed, Device device) {
        RandomRotations random = new RandomRotations(seed);
        int d = config.hiddenSize();
        Tensor r1 = switch (kind) {
            case HADAMARD -> random.randomizedHadamard(d, "R1", "hidden_size");
            case ORTHOGONAL -> random.orthogonal(d, "R1");
            case IDENTITY -> RandomRotations.identity(d);
            default -> throw new IllegalArgumentException("rotation '" + kind.label() + "' is not a fixed rotation");
        };
        return new ModelRotator(config, r1.to(device, ScalarType.Double), perLayerR2(config, random, device));
    }

    /** One randomized Hadamard R2 per layer, float64 on {@code device}. */
    public static List<Tensor> perLayerR2(ModelConfig config, RandomRotations random, Device device) {
        List<Tensor> r2 = new java.util.ArrayList<>();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            r2.add(random.randomizedHadamard(config.headDim(), "R2/layer " + layer, "head_dim").to(device,
                    ScalarType.Double));
        }
        return r2;
    }

    public OnlineRotations online() {
        return new OnlineRotations(r3, r4);
    }

    @Override
    public Tensor embedding(Tensor embed) {
        return r1 == null ? embed : embed.matmul(r1);
    }

    @Override
    public Tensor head(Tensor lmHead, Tensor finalNorm) {
        Tensor fused = lmHead.mul(finalNorm);
        return r1 == null ? fused : fused.matmul(r1);
    }

    @Override
    public LayerWeights layer(int index, LayerWeights w) {
        LayerWeights fused = new LayerWeights(null,
                w.q().mul(w.inputNorm()), w.k().mul(w.inputNorm()), w.v().mul(w.inputNorm()), w.o(), null,
                w.gate().mul(w.postNorm()), w.up().mul(w.postNorm()), r4 == null ? w.down() : r4.apply(index, w.down()),
                w.biases());
        return rotate(config, fused, r1, r2 == null ? null : r2.get(index));
    }

    /**
     * R1 and R2 applied to one fused layer (no norms; down_proj already R4-rotated); null means
     * identity. Plain tensor algebra, so gradients reach R1 and R2 when they require them. Biases
     * are on the output side of q, k and v, which R1 does not touch; v's turns with R2 per KV head.
     */
    public static LayerWeights rotate(ModelConfig config, LayerWeights fused, Tensor r1, Tensor r2) {
        long d = config.hiddenSize();
        long dh = config.headDim();
        Tensor v = r1 == null ? fused.v() : fused.v().matmul(r1);
        Tensor o = r1 == null ? fused.o() : r1.t().matmul(fused.o());
        LayerWeights.QkvBiases biases = fused.biases();
        if (r2 != null) {
            v = r2.transpose(-2, -1).matmul(v.view(config.numKvHeads(), dh, d)).reshape(config.kvDim(), d);
            if (biases != null) {
                biases = new LayerWeights.QkvBiases(biases.q(), biases.k(), r2.transpose(-2, -1)
                        .matmul(biases.v().view(config.numKvHeads(), dh, 1)).reshape(config.kvDim()));
            }
            Tensor perQueryHead = r2.dim() == 2 ? r2
                    : r2.repeat_interleave(config.numHeads() / config.numKvHeads(), new LongOptional(0), new LongOptional());
            // [d, heads, dh] → [heads, d, dh], each head's columns times its R2, and back.
            o = o.view(d, config.numHeads(), dh).transpose(0, 1).matmul(perQueryHead).transpose(0, 1)
                    .reshape(d, config.qDim());
        }
        if (r1 == null) {
            return new LayerWeights(null, fused.q(), fused.k(), v, o, null, fused.gate(), fused.up(), fused.down(), biases);
        }
        return new LayerWeights(null, fused.q().matmul(r1), fused.k().matmul(r1), v, o, null,
                fused.gate().matmul(r1), fused.up().matmul(r1), r1.t().matmul(fused.down()), biases);
    }
}
