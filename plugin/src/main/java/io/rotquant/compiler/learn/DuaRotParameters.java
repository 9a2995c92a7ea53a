package io.rotquant.compiler.learn;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.recipe.DualVariant;
import io.rotquant.compiler.recipe.RotationInit;
import io.rotquant.compiler.rotation.RandomRotations;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * DuaRot's trainable rotations (ALGORITHMS.md §8.1): R1 = R_G·R_L with R_L block-diagonal, and one
 * R2 per layer per KV head (randomized Hadamard each). Matrices in order: R_G (unless the variant is
 * {@code local}), the d/b blocks of R_L (unless {@code global}), then the R2s layer by layer.
 *
 * <p>Decisions the paper leaves open (§8.2): every block is its own Cayley parameter with the
 * common learning rate; in the {@code dual} variant the blocks start at the identity (the paper's
 * choice) and {@code --init} sets R_G; in the {@code local} variant there is no R_G, so
 * {@code --init} sets each block instead (identity blocks would start from no rotation at all).
 */
public final class DuaRotParameters implements RotationParameters {
    private final ModelConfig config;
    private final long seed;
    private final Device device;
    private final DualVariant variant;
    private final int block;
    private final RotationInit init;

    public DuaRotParameters(ModelConfig config, long seed, Device device, DualVariant variant, int block,
            RotationInit init) {
        if (variant != DualVariant.GLOBAL && config.hiddenSize() % block != 0) {
            throw new InvalidInputException("--local-block " + block + " does not divide hidden_size = "
                    + config.hiddenSize() + " (config.json)");
        }
        this.config = config;
        this.seed = seed;
        this.device = device;
        this.variant = variant;
        this.block = block;
        this.init = init;
    }

    @Override
    public String name() {
        return "duarot";
    }

    private boolean hasGlobal() {
        return variant != DualVariant.LOCAL;
    }

    private int blocks() {
        return variant == DualVariant.GLOBAL ? 0 : config.hiddenSize() / block;
    }

    @Override
    public List<Tensor> initial() {
        RandomRotations random = new RandomRotations(seed);
        List<Tensor> matrices = new ArrayList<>();
        if (hasGlobal()) {
            matrices.add(start(random, config.hiddenSize(), "R1", "hidden_size", init));
        }
        for (int b = 0; b < blocks(); b++) {
            matrices.add(start(random, block, "R_L/block " + b, "--local-block", hasGlobal() ? RotationInit.IDENTITY : init));
        }
        for (int l = 0; l < config.numLayers(); l++) {
            for (int g = 0; g < config.numKvHeads(); g++) {
                matrices.add(start(random, config.headDim(), "R2/layer " + l + "/kv head " + g, "head_dim",
                        RotationInit.HADAMARD));
            }
        }
        return matrices;
    }

    private Tensor start(RandomRotations random, int n, String purpose, String what, RotationInit kind) {
        Tensor m = switch (kind) {
            case HADAMARD -> random.randomizedHadamard(n, purpose, what);
            case ORTHOGONAL -> random.orthogonal(n, purpose);
            case IDENTITY -> RandomRotations.identity(n);
        };
        return m.to(device, ScalarType.Double);
    }

    @Override
    public Tensor r1(List<Tensor> matrices) {
        int first = hasGlobal() ? 1 : 0;
        Tensor global = hasGlobal() ? matrices.get(0).to(ScalarType.Double) : null;
        if (blocks() == 0) {
            return global;
        }
        Tensor[] parts = new Tensor[blocks()];
        for (int b = 0; b < parts.length; b++) {
            parts[b] = matrices.get(first + b).to(ScalarType.Double);
        }
        Tensor local = torch.block_diag(new TensorVector(parts));
        return global == null ? local : global.matmul(local);
    }

    @Override
    public Tensor r2(List<Tensor> matrices, int layer) {
        int first = (hasGlobal() ? 1 : 0) + blocks() + layer * config.numKvHeads();
        Tensor[] heads = new Tensor[config.numKvHeads()];
        for (int g = 0; g < heads.length; g++) {
            heads[g] = matrices.get(first + g).to(ScalarType.Double);
        }
        return torch.stack(new TensorVector(heads));
    }
}
