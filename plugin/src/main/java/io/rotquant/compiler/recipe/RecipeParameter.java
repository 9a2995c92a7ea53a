package io.rotquant.compiler.recipe;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every setting of a compile, once: its Maven parameter (and user property {@code rotquant.NAME}),
 * its command-line flag, its key in the recipe JSON (null for settings of the run, not of the
 * recipe), and its default for an artifact. The CLI's options and the Maven goal's parameters are
 * declared where picocli and the plugin tools read them, and checked against this table by tests;
 * messages name a setting through {@link #named()}, in the words of the front end that runs.
 */
public enum RecipeParameter {
    ROTATION("rotation", "--rotation", "rotation", RecipeDefaults.ROTATION),
    ROTATION_VARIANT("rotationVariant", "--rotation-variant", "rotation_variant", RecipeDefaults.ROTATION_VARIANT),
    LOCAL_BLOCK("localBlock", "--local-block", "local_block", RecipeDefaults.LOCAL_BLOCK),
    INIT("init", "--init", "init", RecipeDefaults.INIT),
    ONLINE("online", "--online", "online", RecipeDefaults.ONLINE),
    ONLINE_THRESHOLD("onlineThreshold", "--online-threshold", "online_threshold", RecipeDefaults.ONLINE_THRESHOLD),
    SEED("seed", "--seed", "seed", RecipeDefaults.SEED),
    W_BITS("wBits", "--w-bits", "w_bits", RecipeDefaults.W_BITS),
    W_METHOD("wMethod", "--w-method", "w_method", RecipeDefaults.W_METHOD),
    W_GROUP("wGroup", "--w-group", "w_group", RecipeDefaults.W_GROUP),
    W_CLIP("wClip", "--w-clip", "w_clip", RecipeDefaults.W_CLIP),
    A_BITS("aBits", "--a-bits", "a_bits", RecipeDefaults.A_BITS),
    A_CLIP("aClip", "--a-clip", "a_clip", RecipeDefaults.A_CLIP),
    KV_BITS("kvBits", "--kv-bits", "kv_bits", RecipeDefaults.KV_BITS),
    KV_CLIP("kvClip", "--kv-clip", "kv_clip", RecipeDefaults.KV_CLIP),
    CALIBRATION("calibration", "--calibration", "calibration", null),
    NSAMPLES("nsamples", "--nsamples", "nsamples", RecipeDefaults.NSAMPLES),
    SEQLEN("seqlen", "--seqlen", "seqlen", RecipeDefaults.SEQLEN),
    GPTQ_DAMP("gptqDamp", "--gptq-damp", "gptq_damp", RecipeDefaults.GPTQ_DAMP),
    GPTQ_ACT_ORDER("gptqActOrder", "--gptq-act-order", "gptq_act_order", RecipeDefaults.GPTQ_ACT_ORDER),
    GPTQ_STATIC_GROUPS("gptqStaticGroups", "--gptq-static-groups", "gptq_static_groups", RecipeDefaults.GPTQ_STATIC_GROUPS),
    ITERS("iters", "--iters", "iters", RecipeDefaults.ITERS),
    LR("lr", "--lr", "lr", RecipeDefaults.LR),
    TRAIN_BATCH("trainBatch", "--train-batch", "train_batch", RecipeDefaults.TRAIN_BATCH),
    TRAIN_SEQLEN("trainSeqlen", "--train-seqlen", "train_seqlen", RecipeDefaults.TRAIN_SEQLEN),
    TRAIN_MEMORY("trainMemory", "--train-memory", "train_memory", RecipeDefaults.TRAIN_MEMORY),
    ROTATIONS("rotations", "--rotations", "rotations", null),
    ALPHA("alpha", "--alpha", "alpha", RecipeDefaults.ALPHA),
    DTYPE("dtype", "--dtype", null, RecipeDefaults.DTYPE),
    DEVICE("device", "--device", null, RecipeDefaults.DEVICE),
    THREADS("threads", "--threads", null, null),
    HEAD_BITS("headBits", "--head-bits", null, RecipeDefaults.HEAD_BITS),
    PROCESSES("processes", "--nproc", null, RecipeDefaults.PROCESSES),
    RANK("rank", "--rank", null, RecipeDefaults.RANK),
    WORLD_SIZE("worldSize", "--world-size", null, RecipeDefaults.WORLD_SIZE),
    MASTER("master", "--master", null, null),
    MODEL("modelDirectory", "--model", null, null),
    OUT("outputFile", "--out", null, null),
    REPORT("reportDirectory", "--report", null, null),
    EVAL_DATA("evalData", "--eval-data", null, null),
    EVAL_WINDOWS("evalWindows", "--eval-windows", null, RecipeDefaults.EVAL_WINDOWS);

    private final String mavenName;
    private final String flag;
    private final String jsonKey;
    private final String artifactDefault;

    RecipeParameter(String mavenName, String flag, String jsonKey, String artifactDefault) {
        this.mavenName = mavenName;
        this.flag = flag;
        this.jsonKey = jsonKey;
        this.artifactDefault = artifactDefault;
    }

    /** The Maven parameter; its user property is {@code rotquant.} + this. */
    public String mavenName() {
        return mavenName;
    }

    public String flag() {
        return flag;
    }

    /** This setting as the running front end names it ({@link ParameterNames}): {@code --w-bits} or {@code rotquant.wBits}. */
    public String named() {
        return ParameterNames.current().name(this);
    }

    /** The setting whose recipe JSON key is {@code key}. */
    public static Optional<RecipeParameter> ofJsonKey(String key) {
        return Arrays.stream(values()).filter(p -> key.equals(p.jsonKey)).findFirst();
    }

    /** The key in the artifact's recipe JSON, or null for a setting of the run (dtype, device, threads, ranks, model). */
    public String jsonKey() {
        return jsonKey;
    }

    /** The default for an artifact as typed, or null where there is none (calibration: the embedded sample; rotations: none kept). */
    public String artifactDefault() {
        return artifactDefault;
    }

    /** The parameter a command-line flag sets ({@code --no-w-clip} included). */
    public static Optional<RecipeParameter> ofFlag(String flag) {
        String plain = flag.startsWith("--no-") ? "--" + flag.substring("--no-".length()) : flag;
        return Arrays.stream(values()).filter(p -> p.flag.equals(plain)).findFirst();
    }
}
