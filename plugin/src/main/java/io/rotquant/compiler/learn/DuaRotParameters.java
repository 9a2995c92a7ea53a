package io.rotquant.compiler.learn;

import static io.rotquant.compiler.recipe.RecipeParameter.INIT;
import static io.rotquant.compiler.recipe.RecipeParameter.LOCAL_BLOCK;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.model.OnlineRotation;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.recipe.DualVariant;
import io.rotquant.compiler.recipe.OnlineChoice;
import io.rotquant.compiler.recipe.RotationInit;
import io.rotquant.compiler.rotation.HadamardTransform;
import io.rotquant.compiler.rotation.HeadRotations;
import io.rotquant.compiler.rotation.KroneckerRotations;
import io.rotquant.compiler.rotation.ModelRotator;
import io.rotquant.compiler.rotation.RandomRotations;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * DuaRot's trainable rotations (specification.md §8.1): R1 = R_G·R_L with R_L block-diagonal; one R2
 * per layer per KV head (randomized Hadamard each); and the hardware-aware online rotations: R3 per
 * layer per KV head (randomized Hadamard start) and each factor of R4 = A ⊗ B per layer (Hadamard
 * start, so the untrained product is the fixed R4) become trained matrices when {@link OnlineChoice}
 * says so, and stay fixed Walsh–Hadamard transforms otherwise. R3 is trained only when K is
 * quantized (without a K quantizer it is not applied at all, §3.3). Matrices in order: R_G (unless
 * the variant is {@code local}), the d/b blocks of R_L (unless {@code global}), the R2s, the R3s,
 * the A factors, the B factors, each layer by layer.
 *
 * <p>Decisions the paper leaves open (§8.2): every block is its own Cayley parameter with the
 * common learning rate; in the {@code dual} variant the blocks start at the identity (the paper's
 * choice) and {@code --init} sets R_G; in the {@code local} variant there is no R_G, so
 * {@code --init} sets each block instead (identity blocks would start from no rotation at all).
 * {@code --init dfrot} starts R_G at DFRot's refined R1 (a combination beyond the papers).
 */
public final class DuaRotParameters implements RotationParameters {
    private final ModelConfig config;
    private final long seed;
    private final Device device;
    private final DualVariant variant;
    private final int block;
    private final RotationInit init;
    private final Tensor globalStart;
    private final boolean trainR3;
    private final int k;
    private final int m;
    private final boolean trainA;
    private final boolean trainB;
    private final HadamardTransform headHadamard;
    private final HadamardTransform intermediateHadamard;
    /** The untrained Kronecker factor beside a trained one, built once (null when not needed). */
    private final Tensor fixedA;
    private final Tensor fixedB;

    public DuaRotParameters(ModelConfig config, long seed, Device device, DualVariant variant, int block,
            RotationInit init, Tensor globalStart, OnlineChoice online, int threshold, boolean keysQuantized) {
        if (variant != DualVariant.GLOBAL && config.hiddenSize() % block != 0) {
            throw new InvalidInputException(LOCAL_BLOCK.named() + " " + block + " does not divide hidden_size = "
                    + config.hiddenSize() + " (config.json)");
        }
        this.config = config;
        this.seed = seed;
        this.device = device;
        this.variant = variant;
        this.block = block;
        this.init = init;
        this.globalStart = globalStart;
        if ((init == RotationInit.DFROT) != (globalStart != null)) {
            throw new IllegalArgumentException(INIT.named() + " dfrot needs DFRot's R1 as the global start, and only it");
        }
        this.trainR3 = keysQuantized && online.trains(config.headDim(), threshold);
        this.headHadamard = ModelRotator.headHadamard(config);
        this.intermediateHadamard = ModelRotator.intermediateHadamard(config);
        this.k = intermediateHadamard.factor();
        this.m = config.intermediateSize() / k;
        this.trainA = k > 1 && online.trains(k, threshold);
        this.trainB = m > 1 && online.trains(m, threshold);
        this.fixedA = trainB && !trainA ? hadamard(k) : null;
        this.fixedB = trainA && !trainB ? hadamard(m) : null;
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
            matrices.add(start(random, block, "R_L/block " + b, LOCAL_BLOCK.named(), hasGlobal() ? RotationInit.IDENTITY : init));
        }
        for (String name : new String[] {"R2", "R3"}) {
            if (name.equals("R3") && !trainR3) {
                continue;
            }
            for (int l = 0; l < config.numLayers(); l++) {
                for (int g = 0; g < config.numKvHeads(); g++) {
                    matrices.add(start(random, config.headDim(), name + "/layer " + l + "/kv head " + g, "head_dim",
                            RotationInit.HADAMARD));
                }
            }
        }
        for (int l = 0; trainA && l < config.numLayers(); l++) {
            matrices.add(hadamard(k));
        }
        for (int l = 0; trainB && l < config.numLayers(); l++) {
            matrices.add(hadamard(m));
        }
        return matrices;
    }

    private Tensor start(RandomRotations random, int n, String purpose, String what, RotationInit kind) {
        Tensor m = switch (kind) {
            case HADAMARD -> random.randomizedHadamard(n, purpose, what);
            case ORTHOGONAL -> random.orthogonal(n, purpose);
            case IDENTITY -> RandomRotations.identity(n);
            case DFROT -> globalStart;
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

    /** The Kronecker factor that starts R4 at the fixed transform: had_Kᵀ/√K for A, H_m/√m for B. */
    private Tensor hadamard(int n) {
        return HadamardTransform.ofSize(n, "R4 factor").apply(RandomRotations.identity(n)).to(device, ScalarType.Double);
    }

    private int r2Start() {
        return (hasGlobal() ? 1 : 0) + blocks();
    }

    private int perHead() {
        return config.numLayers() * config.numKvHeads();
    }

    @Override
    public Tensor r2(List<Tensor> matrices, int layer) {
        return heads(matrices, r2Start() + layer * config.numKvHeads());
    }

    private Tensor heads(List<Tensor> matrices, int first) {
        Tensor[] heads = new Tensor[config.numKvHeads()];
        for (int g = 0; g < heads.length; g++) {
            heads[g] = matrices.get(first + g).to(ScalarType.Double);
        }
        return torch.stack(new TensorVector(heads));
    }

    @Override
    public OnlineRotations online(List<Tensor> matrices) {
        int r3Start = r2Start() + perHead();
        OnlineRotation r3 = headHadamard;
        if (trainR3) {
            List<Tensor> perLayer = new ArrayList<>();
            for (int l = 0; l < config.numLayers(); l++) {
                perLayer.add(heads(matrices, r3Start + l * config.numKvHeads()));
            }
            r3 = new HeadRotations(perLayer);
        }
        if (!trainA && !trainB) {
            return new OnlineRotations(r3, intermediateHadamard);
        }
        int aStart = r3Start + (trainR3 ? perHead() : 0);
        int bStart = aStart + (trainA ? config.numLayers() : 0);
        List<Tensor> a = new ArrayList<>();
        List<Tensor> b = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            a.add(trainA ? matrices.get(aStart + l).to(ScalarType.Double) : fixedA);
            b.add(trainB ? matrices.get(bStart + l).to(ScalarType.Double) : fixedB);
        }
        return new OnlineRotations(r3, new KroneckerRotations(a, b, trainA, trainB));
    }
}
