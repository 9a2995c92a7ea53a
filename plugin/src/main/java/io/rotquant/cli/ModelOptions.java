package io.rotquant.cli;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RecipeDefaults;
import io.rotquant.compiler.recipe.RecipeParameter;
import io.rotquant.compiler.recipe.RecipeValues;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every model-running subcommand shares: which model, the recipe (rotation and
 * quantization, the recipes page's names), and where and how it runs.
 */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model directory.")
    Path model;

    @Option(names = "--rotation", defaultValue = RecipeDefaults.FP_ROTATION, paramLabel = "KIND",
            description = "none|identity|hadamard|orthogonal|spinquant|duarot|dfrot (default: ${DEFAULT-VALUE}).")
    String rotation;

    @Option(names = "--seed", defaultValue = RecipeDefaults.SEED, description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--w-bits", defaultValue = RecipeDefaults.FP_BITS, paramLabel = "B", description = "Weight bits, 2..8 or 16 = FP (default: ${DEFAULT-VALUE}).")
    int wBits;

    @Option(names = "--w-method", defaultValue = RecipeDefaults.W_METHOD, paramLabel = "M", description = "rtn|gptq (default: ${DEFAULT-VALUE}).")
    String wMethod;

    @Option(names = "--w-group", defaultValue = RecipeDefaults.W_GROUP, paramLabel = "G", description = "Weight group size, 0 = per channel (default: ${DEFAULT-VALUE}).")
    int wGroup;

    @Option(names = "--w-clip", negatable = true, defaultValue = RecipeDefaults.W_CLIP, fallbackValue = "true",
            description = "MSE clip search for weight scales (default: on; --no-w-clip turns it off).")
    boolean wClip;

    @Option(names = "--a-bits", defaultValue = RecipeDefaults.FP_BITS, paramLabel = "B", description = "Activation bits, 2..8 or 16 = FP (default: ${DEFAULT-VALUE}).")
    int aBits;

    @Option(names = "--a-clip", defaultValue = RecipeDefaults.A_CLIP, paramLabel = "R", description = "Activation clip ratio in (0,1] (default: ${DEFAULT-VALUE}).")
    double aClip;

    @Option(names = "--kv-bits", defaultValue = RecipeDefaults.FP_BITS, paramLabel = "B", description = "K/V cache bits, 2..8 or 16 = FP (default: ${DEFAULT-VALUE}).")
    int kvBits;

    @Option(names = "--kv-clip", defaultValue = RecipeDefaults.KV_CLIP, paramLabel = "R", description = "K/V clip ratio in (0,1] (default: ${DEFAULT-VALUE}).")
    double kvClip;

    @Option(names = "--calibration", paramLabel = "FILE", description = "Calibration text (.txt) or JSON lines (.jsonl, \"text\" members); default: the embedded C4 sample.")
    Path calibration;

    @Option(names = "--nsamples", defaultValue = RecipeDefaults.NSAMPLES, paramLabel = "N", description = "GPTQ calibration windows (default: ${DEFAULT-VALUE}).")
    int nsamples;

    @Option(names = "--seqlen", defaultValue = RecipeDefaults.SEQLEN, paramLabel = "N",
            description = "Tokens per window, for evaluation and calibration (default: min(2048, the model's context)).")
    int seqlen;

    @Option(names = "--gptq-damp", defaultValue = RecipeDefaults.GPTQ_DAMP, paramLabel = "F", description = "GPTQ dampening, fraction of mean diag(H) (default: ${DEFAULT-VALUE}).")
    double gptqDamp;

    @Option(names = "--gptq-act-order", description = "GPTQ: quantize columns by decreasing Hessian diagonal.")
    boolean gptqActOrder;

    @Option(names = "--gptq-static-groups", description = "GPTQ with --w-group: fix group scales before the column sweep.")
    boolean gptqStaticGroups;

    @Option(names = "--iters", defaultValue = RecipeDefaults.ITERS, paramLabel = "N",
            description = "Learned rotations: Cayley SGD steps (SpinQuant) or Procrustes alternations (DFRot); 0 keeps the start (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--lr", defaultValue = RecipeDefaults.LR, paramLabel = "F",
            description = "Learned rotations: learning rate, cosine-scheduled to 0 (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--train-batch", defaultValue = RecipeDefaults.TRAIN_BATCH, paramLabel = "N",
            description = "Learned rotations: calibration windows per step (default: ${DEFAULT-VALUE}).")
    int trainBatch;

    @Option(names = "--train-memory", defaultValue = RecipeDefaults.TRAIN_MEMORY, paramLabel = "WHAT",
            description = "SpinQuant, DuaRot: what a step holds, all (every layer's weights and gradients, the fastest) or layer"
                    + " (one layer's at a time, its forward run again; for a card too small for all) (default: ${DEFAULT-VALUE}).")
    String trainMemory;

    @Option(names = "--rotations", paramLabel = "FILE",
            description = "SpinQuant, DuaRot, DFRot: the file that keeps the learned matrices: read instead of learning when it"
                    + " exists (learned under the same settings, or refused), written after learning when it does not.")
    Path rotations;

    @Option(names = "--train-seqlen", defaultValue = RecipeDefaults.TRAIN_SEQLEN, paramLabel = "N",
            description = "Learned rotations: tokens per training window (default: the --seqlen window).")
    int trainSeqlen;

    @Option(names = "--alpha", defaultValue = RecipeDefaults.ALPHA, paramLabel = "F",
            description = "DFRot: weight of the massive-activation tokens (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--rotation-variant", defaultValue = RecipeDefaults.ROTATION_VARIANT, paramLabel = "V",
            description = "DuaRot: dual (R_G·R_L) | global | local (default: ${DEFAULT-VALUE}).")
    String rotationVariant;

    @Option(names = "--local-block", defaultValue = RecipeDefaults.LOCAL_BLOCK, paramLabel = "B",
            description = "DuaRot: block size of the local rotation R_L (default: ${DEFAULT-VALUE}).")
    int localBlock;

    @Option(names = "--init", defaultValue = RecipeDefaults.INIT, paramLabel = "KIND",
            description = "DuaRot: start of the trained R1 factor, hadamard|identity|orthogonal|dfrot (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--online", defaultValue = RecipeDefaults.ONLINE, paramLabel = "HOW",
            description = "DuaRot: online rotations trained as matmul when size <= --online-threshold or a Hadamard factor alone (auto), or all wht, or all matmul (default: ${DEFAULT-VALUE}).")
    String online;

    @Option(names = "--online-threshold", defaultValue = RecipeDefaults.ONLINE_THRESHOLD, paramLabel = "N",
            description = "DuaRot: largest online rotation trained as a matmul under --online auto (default: ${DEFAULT-VALUE},"
                    + " the runtime's measured WHT/matmul crossover; the paper's GPU figure is 512).")
    int onlineThreshold;

    @Option(names = "--dtype", defaultValue = RecipeDefaults.DTYPE, description = "fp32|bf16|tf32 (tf32: fp32 with GPTQ calibration on a GPU's TF32 tensor cores, fp32 on the CPU; default: ${DEFAULT-VALUE}).")
    String dtype;

    @Mixin
    DeviceOptions where;

    Recipe recipe() {
        return values().recipe();
    }

    /** The recipe settings these options hold (fields named as in {@link RecipeParameter}), for {@link RecipeValues} to parse. */
    RecipeValues values() {
        return RecipeValues.of(this);
    }

    ComputeDType computeType() {
        return ComputeDType.parse(dtype);
    }

    /** Sets up LibTorch once for this command's device, threads and dtype. */
    void initTorch() {
        where.initTorch(computeType().scalarType());
    }

    /** Loads the model and prepares it as {@code recipe} says. */
    PreparedModel open(Recipe recipe, Consumer<String> log) {
        initTorch();
        return PreparedModel.open(model, recipe, computeType(), log);
    }

    /** {@code --seqlen}, or its default, checked against the model's context. */
    int windowLength(ModelConfig config) {
        return recipe().windowLength(config);
    }
}
