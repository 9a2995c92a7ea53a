package io.rotquant.compiler.learn;

import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.rotation.ModelRotator;
import io.rotquant.compiler.rotation.RandomRotations;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * SpinQuant (specification.md §7.1): R1 and one R2 per layer shared by its heads, both starting as
 * the {@code hadamard} rotation of the same seed (so zero steps reproduce QuaRot exactly).
 */
public final class SpinQuantParameters implements RotationParameters {
    private final ModelConfig config;
    private final long seed;
    private final Device device;
    private final OnlineRotations fixed;

    public SpinQuantParameters(ModelConfig config, long seed, Device device) {
        this.config = config;
        this.seed = seed;
        this.device = device;
        this.fixed = new OnlineRotations(ModelRotator.headHadamard(config), ModelRotator.intermediateHadamard(config));
    }

    @Override
    public String name() {
        return "spinquant";
    }

    @Override
    public List<Tensor> initial() {
        RandomRotations random = new RandomRotations(seed);
        List<Tensor> matrices = new ArrayList<>();
        matrices.add(random.randomizedHadamard(config.hiddenSize(), "R1", "hidden_size").to(device, ScalarType.Double));
        matrices.addAll(ModelRotator.perLayerR2(config, random, device));
        return matrices;
    }

    @Override
    public Tensor r1(List<Tensor> matrices) {
        return matrices.get(0).to(ScalarType.Double);
    }

    @Override
    public Tensor r2(List<Tensor> matrices, int layer) {
        return matrices.get(1 + layer).to(ScalarType.Double);
    }

    /** SpinQuant keeps R3 and R4 the fixed Walsh–Hadamard transforms (specification.md §7.1). */
    @Override
    public OnlineRotations online(List<Tensor> matrices) {
        return fixed;
    }
}
