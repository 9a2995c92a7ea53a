package io.rotquant.compiler.rotation;

import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.model.LayerWeights;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.model.WeightTransform;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * Fuses the RMSNorm weights into the following linears and applies the offline rotations in
 * float64 (ALGORITHMS.md §2.1, §3.1): R1 on the residual stream (input side of q/k/v/gate/up and
 * the head, output side of o/down, the embedding rows), R2 per head on the V output and the o_proj
 * input, and the offline half of R4 on down_proj's input. The matching online rotations are
 * returned by {@link #online()}.
 */
public final class ModelRotator implements WeightTransform {
    private final ModelConfig config;
    private final Tensor r1;
    private final List<Tensor> r2;
    private final HadamardTransform r3;
    private final HadamardTransform r4;

    /** R1 [d, d] and one R2 [d_h, d_h] per layer, float64 on the weights' device. */
    public ModelRotator(ModelConfig config, Tensor r1, List<Tensor> r2) {
        if (r2.size() != config.numLayers()) {
            throw new IllegalArgumentException("need one R2 per layer, got " + r2.size());
        }
        this.config = config;
        this.r1 = r1;
        this.r2 = r2;
        this.r3 = HadamardTransform.ofSize(config.headDim(), "head_dim");
        this.r4 = HadamardTransform.ofSize(config.intermediateSize(), "intermediate_size");
    }

    /** The rotator for a {@code --rotation} kind (not NONE), all matrices drawn from {@code seed}. */
    public static ModelRotator create(ModelConfig config, RotationKind kind, long seed, Device device) {
        RandomRotations random = new RandomRotations(seed);
        int d = config.hiddenSize();
        Tensor r1 = switch (kind) {
            case HADAMARD -> random.randomizedHadamard(d, "R1", "hidden_size");
            case ORTHOGONAL -> random.orthogonal(d, "R1");
            case IDENTITY -> RandomRotations.identity(d);
            case NONE -> throw new IllegalArgumentException("rotation 'none' has no rotator");
        };
        List<Tensor> r2 = new java.util.ArrayList<>();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            r2.add(random.randomizedHadamard(config.headDim(), "R2/layer " + layer, "head_dim").to(device,
                    org.bytedeco.pytorch.global.torch.ScalarType.Double));
        }
        return new ModelRotator(config, r1.to(device, org.bytedeco.pytorch.global.torch.ScalarType.Double), r2);
    }

    public OnlineRotations online() {
        return new OnlineRotations(r3, r4);
    }

    @Override
    public Tensor embedding(Tensor embed) {
        return embed.matmul(r1);
    }

    @Override
    public Tensor head(Tensor lmHead, Tensor finalNorm) {
        return lmHead.mul(finalNorm).matmul(r1);
    }

    @Override
    public LayerWeights layer(int index, LayerWeights w) {
        long d = config.hiddenSize();
        long dh = config.headDim();
        Tensor rotation = r2.get(index);
        Tensor v = w.v().mul(w.inputNorm()).matmul(r1);
        v = rotation.t().matmul(v.view(config.numKvHeads(), dh, d)).reshape(config.kvDim(), d);
        Tensor o = r1.t().matmul(w.o());
        o = o.view(d, config.numHeads(), dh).matmul(rotation).reshape(d, config.qDim());
        Tensor down = r4.apply(r1.t().matmul(w.down()));
        return new LayerWeights(null,
                w.q().mul(w.inputNorm()).matmul(r1),
                w.k().mul(w.inputNorm()).matmul(r1),
                v, o, null,
                w.gate().mul(w.postNorm()).matmul(r1),
                w.up().mul(w.postNorm()).matmul(r1),
                down);
    }
}
