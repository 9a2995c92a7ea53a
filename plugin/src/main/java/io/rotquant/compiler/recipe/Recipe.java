package io.rotquant.compiler.recipe;

import static io.rotquant.compiler.recipe.RecipeParameter.A_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.A_CLIP;
import static io.rotquant.compiler.recipe.RecipeParameter.KV_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.KV_CLIP;
import static io.rotquant.compiler.recipe.RecipeParameter.NSAMPLES;
import static io.rotquant.compiler.recipe.RecipeParameter.SEQLEN;
import static io.rotquant.compiler.recipe.RecipeParameter.W_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.W_GROUP;

import io.rotquant.compiler.quant.Bits;
import io.rotquant.compiler.quant.GptqOptions;
import io.rotquant.compiler.quant.WeightQuantizer;
import io.rotquant.compiler.rotation.RotationKind;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One compilation, immutable and validated on construction. Bits are 2..8 or 16 ("not
 * quantized"); clip ratios are in (0, 1]; {@code wGroup} 0 means per output channel;
 * {@code calibration} null means the embedded C4 sample; {@code seqlen} 0 means
 * min(2048, the model's context); {@code training} applies to learned rotations only.
 */
public record Recipe(RotationKind rotation, long seed, int wBits, WeightMethod wMethod, int wGroup, boolean wClip,
        int aBits, double aClip, int kvBits, double kvClip, Path calibration, int nsamples, int seqlen,
        GptqOptions gptq, TrainingOptions training) {

    /** The key of {@link #label()} in {@link #toJson()}. */
    public static final String LABEL_KEY = "recipe";
    /** {@link #toJson()}'s calibration value for the embedded sample (a null {@code calibration}). */
    public static final String EMBEDDED_CALIBRATION = "embedded C4 sample";

    /** The unquantized, unrotated model. */
    public static final Recipe FP = new Recipe(RotationKind.parse(RecipeDefaults.FP_ROTATION),
            Long.parseLong(RecipeDefaults.SEED), Integer.parseInt(RecipeDefaults.FP_BITS),
            WeightMethod.parse(RecipeDefaults.W_METHOD), Integer.parseInt(RecipeDefaults.W_GROUP),
            Boolean.parseBoolean(RecipeDefaults.W_CLIP), Integer.parseInt(RecipeDefaults.FP_BITS),
            Double.parseDouble(RecipeDefaults.A_CLIP), Integer.parseInt(RecipeDefaults.FP_BITS),
            Double.parseDouble(RecipeDefaults.KV_CLIP), null, Integer.parseInt(RecipeDefaults.NSAMPLES),
            Integer.parseInt(RecipeDefaults.SEQLEN),
            new GptqOptions(GptqOptions.BLOCK_SIZE, Double.parseDouble(RecipeDefaults.GPTQ_DAMP), false, false),
            TrainingOptions.DEFAULT);

    public Recipe {
        Bits.check(W_BITS.named(), wBits);
        Bits.check(A_BITS.named(), aBits);
        Bits.check(KV_BITS.named(), kvBits);
        Bits.checkClip(A_CLIP.named(), aClip);
        Bits.checkClip(KV_CLIP.named(), kvClip);
        if (wGroup < 0) {
            throw new io.rotquant.compiler.InvalidInputException(W_GROUP.named() + " must be 0 (per channel) or positive, got " + wGroup);
        }
        if (nsamples < 1) {
            throw new io.rotquant.compiler.InvalidInputException(NSAMPLES.named() + " must be positive, got " + nsamples);
        }
        if (seqlen < 0) {
            throw new io.rotquant.compiler.InvalidInputException(SEQLEN.named() + " must be positive, got " + seqlen);
        }
    }

    public Recipe withRotation(RotationKind newRotation, long newSeed) {
        return new Recipe(newRotation, newSeed, wBits, wMethod, wGroup, wClip, aBits, aClip, kvBits, kvClip, calibration,
                nsamples, seqlen, gptq, training);
    }

    public Recipe withWeights(int bits, WeightMethod method, int group, boolean clip) {
        return new Recipe(rotation, seed, bits, method, group, clip, aBits, aClip, kvBits, kvClip, calibration, nsamples,
                seqlen, gptq, training);
    }

    public Recipe withActivations(int bits, double clip, int keyValueBits, double keyValueClip) {
        return new Recipe(rotation, seed, wBits, wMethod, wGroup, wClip, bits, clip, keyValueBits, keyValueClip,
                calibration, nsamples, seqlen, gptq, training);
    }

    public Recipe withCalibration(Path file, int samples, int length) {
        return new Recipe(rotation, seed, wBits, wMethod, wGroup, wClip, aBits, aClip, kvBits, kvClip, file, samples,
                length, gptq, training);
    }

    public Recipe withTraining(TrainingOptions options) {
        return new Recipe(rotation, seed, wBits, wMethod, wGroup, wClip, aBits, aClip, kvBits, kvClip, calibration, nsamples,
                seqlen, gptq, options);
    }

    /** The window length for evaluation and calibration: {@code seqlen}, else min(2048, the context); checked. */
    public int windowLength(io.rotquant.compiler.config.ModelConfig config) {
        return config.checkWindow(seqlen > 0 ? seqlen : Math.min(2048, config.maxPositions()));
    }

    public boolean quantizesWeights() {
        return Bits.quantized(wBits);
    }

    public boolean quantizesAnything() {
        return Bits.quantized(wBits) || Bits.quantized(aBits) || Bits.quantized(kvBits);
    }

    public boolean quantizesKeys() {
        return Bits.quantized(kvBits);
    }

    public WeightQuantizer weightQuantizer() {
        return new WeightQuantizer(wBits, wGroup, wClip);
    }

    /** Every field under the names of the CLI flags (snake case), for JSON output and artifact metadata. */
    public java.util.Map<String, Object> toJson() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put(LABEL_KEY, label());
        m.put("rotation", rotation.label());
        m.put("seed", seed);
        m.put("w_bits", wBits);
        m.put("w_method", wMethod.label());
        m.put("w_group", wGroup);
        m.put("w_clip", wClip);
        m.put("a_bits", aBits);
        m.put("a_clip", aClip);
        m.put("kv_bits", kvBits);
        m.put("kv_clip", kvClip);
        m.put("calibration", calibration == null ? EMBEDDED_CALIBRATION : calibration.toString());
        m.put("nsamples", nsamples);
        m.put("seqlen", seqlen);
        m.put("gptq_damp", gptq.damp());
        m.put("gptq_act_order", gptq.actOrder());
        m.put("gptq_static_groups", gptq.staticGroups());
        if (rotation.learned()) {
            m.put("iters", training.iters());
            m.put("lr", training.lr());
            m.put("train_batch", training.batch());
            m.put("train_seqlen", training.seqlen());
            m.put("train_memory", training.memory().label());
            m.put("alpha", training.alpha());
            m.put("rotation_variant", training.variant().label());
            m.put("local_block", training.localBlock());
            m.put("init", training.init().label());
            m.put("online", training.online().label());
            m.put("online_threshold", training.onlineThreshold());
            if (training.rotations() != null) {
                m.put("rotations", training.rotations().toString());
            }
        }
        return m;
    }

    /**
     * The files this recipe reads, by the setting that names them: the calibration text, and for a
     * learned rotation the file that keeps its matrices (which the compile may be about to write).
     */
    public java.util.Map<RecipeParameter, Path> inputFiles() {
        java.util.Map<RecipeParameter, Path> files = new java.util.EnumMap<>(RecipeParameter.class);
        if (calibration != null) {
            files.put(RecipeParameter.CALIBRATION, calibration);
        }
        if (rotation.learned() && training.rotations() != null) {
            files.put(RecipeParameter.ROTATIONS, training.rotations());
        }
        return files;
    }

    /** A short human label, e.g. {@code hadamard W4A4KV4 gptq}. */
    public String label() {
        return String.format(Locale.ROOT, "%s W%dA%dKV%d%s", rotation.label(), wBits, aBits, kvBits,
                quantizesWeights() ? " " + wMethod.label() : "");
    }
}
