package io.rotquant.compiler.recipe;

import io.rotquant.runtime.model.VectorRotation;

/**
 * The default of every recipe setting, as the text a user would type: the CLI's options and the
 * Maven goal's parameters take their {@code defaultValue} from here (so the goal pages list them),
 * and {@link Recipe#FP}, {@link GptqOptions#DEFAULT} and {@link TrainingOptions#DEFAULT} are
 * parsed from the same constants. Rotation and bits differ between an artifact
 * ({@link ArtifactDefaults}) and an evaluation, which starts from full precision ({@link #FP_BITS}).
 */
public final class RecipeDefaults {
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
    public static final String ITERS = "100";
    public static final String LR = "1.5";
    public static final String TRAIN_BATCH = "8";
    /** 0: the recipe's window length. */
    public static final String TRAIN_SEQLEN = "0";
    public static final String ALPHA = "100";
    public static final String ROTATION_VARIANT = "dual";
    public static final String LOCAL_BLOCK = "64";
    public static final String INIT = "hadamard";
    public static final String ONLINE = "auto";
    /** The runtime's measured WHT/matmul crossover. */
    public static final String ONLINE_THRESHOLD = "" + VectorRotation.MATMUL_CROSSOVER;
    public static final String DTYPE = "fp32";
    public static final String DEVICE = "cpu";

    private RecipeDefaults() {
    }
}
