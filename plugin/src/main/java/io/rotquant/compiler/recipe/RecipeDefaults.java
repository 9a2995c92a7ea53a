package io.rotquant.compiler.recipe;

import io.rotquant.runtime.model.VectorRotation;

/**
 * The default of every recipe setting, as the text a user would type: the CLI's options and the
 * Maven goal's parameters take their {@code defaultValue} from here (so the goal pages list them),
 * and {@link Recipe#FP}, {@link GptqOptions#DEFAULT} and {@link TrainingOptions#DEFAULT} are
 * parsed from the same constants; {@link RecipeParameter} pairs each setting with its default.
 * Rotation and bits differ between an artifact ({@link #ROTATION}, {@link #W_BITS}: QuaRot at
 * W4A4KV4, the setting the runtime's integer kernels are for, taken by the Maven goals and
 * {@code rotquant compile}) and an evaluation, which starts from full precision ({@link #FP_BITS}) so
 * that a bare evaluation measures the checkpoint itself.
 */
public final class RecipeDefaults {
    /** An artifact: randomized Hadamard rotations, 4-bit weights, activations and KV cache. */
    public static final String ROTATION = "hadamard";
    public static final String W_BITS = "4";
    public static final String A_BITS = "4";
    public static final String KV_BITS = "4";

    /** Evaluation commands start from the checkpoint as it is. */
    public static final String FP_ROTATION = "none";
    public static final String FP_BITS = "16";

    public static final String SEED = "0";
    public static final String W_METHOD = "gptq";
    /** 0: one scale per output channel. */
    public static final String W_GROUP = "0";
    public static final String W_CLIP = "true";
    public static final String A_CLIP = "1.0";
    public static final String KV_CLIP = "1.0";
    public static final String NSAMPLES = "128";
    /** 0: min(2048, the model's context). */
    public static final String SEQLEN = "0";
    public static final String GPTQ_DAMP = "0.01";
    public static final String GPTQ_ACT_ORDER = "false";
    public static final String GPTQ_STATIC_GROUPS = "false";
    public static final String ITERS = "100";
    public static final String LR = "1.5";
    public static final String TRAIN_BATCH = "8";
    /** 0: the recipe's window length. */
    public static final String TRAIN_SEQLEN = "0";
    public static final String TRAIN_MEMORY = "all";
    public static final String ALPHA = "100";
    public static final String ROTATION_VARIANT = "dual";
    public static final String LOCAL_BLOCK = "64";
    public static final String INIT = "hadamard";
    public static final String ONLINE = "auto";
    /** The runtime's measured WHT/matmul crossover. */
    public static final String ONLINE_THRESHOLD = "" + VectorRotation.MATMUL_CROSSOVER;
    public static final String DTYPE = "tf32";
    public static final String DEVICE = "cpu";
    /** F16 embedding and head. */
    public static final String HEAD_BITS = "16";
    public static final String PROCESSES = "1";
    public static final String RANK = "0";
    public static final String WORLD_SIZE = "1";
    /** Held-out windows a compile evaluates when given evaluation text. */
    public static final String EVAL_WINDOWS = "16";

    private RecipeDefaults() {
    }
}
