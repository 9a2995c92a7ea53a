package io.rotquant.compiler.build;

import io.rotquant.compiler.eval.ActivationProfile.LayerProfile;
import io.rotquant.compiler.model.LinearGroup;
import io.rotquant.compiler.recipe.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a compilation produced and measured: the artifact, the phase times and, when held-out text
 * was given, the FP and quantized perplexity and the activation profiles of the first window
 * before rotation (the FP model) and after (the compiled one).
 */
public record CompileReport(Path model, Recipe recipe, Path artifact, long bytes, String sha256, double seconds,
        Map<String, Double> phaseSeconds, String machine, Evaluation evaluation) {

    /** Perplexity of both models on the same windows, and their activation profiles at {@code profileBits}. */
    public record Evaluation(String data, int windows, long tokens, double pplFp, double pplQuantized, int profileBits,
            List<LayerProfile> before, List<LayerProfile> after) {
    }

    /** The artifact, its size and digest, the perplexities and time, then the phases, the recipe and the evaluation details. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("artifact", artifact.toString());
        m.put("bytes", bytes);
        m.put("sha256", sha256);
        m.put("ppl_fp", evaluation == null ? null : evaluation.pplFp());
        m.put("ppl_q", evaluation == null ? null : evaluation.pplQuantized());
        m.put("seconds", seconds);
        m.put("compile_phases", phaseSeconds);
        m.put("machine", machine);
        m.put("model", model.toString());
        m.putAll(recipe.toJson());
        if (evaluation != null) {
            m.put("eval_data", evaluation.data());
            m.put("eval_windows", evaluation.windows());
            m.put("eval_tokens", evaluation.tokens());
            m.put("profile_bits", evaluation.profileBits());
            m.put("profile_before_rotation", profileJson(evaluation.before()));
            m.put("profile_after_rotation", profileJson(evaluation.after()));
        }
        return m;
    }

    private static List<Object> profileJson(List<LayerProfile> layers) {
        List<Object> out = new ArrayList<>();
        for (LayerProfile layer : layers) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("layer", layer.layer());
            for (LinearGroup group : LinearGroup.values()) {
                String name = group.name().toLowerCase(java.util.Locale.ROOT);
                entry.put(name + "_quant_error", layer.quantError().get(group));
                entry.put(name + "_peak_ratio", layer.peakRatio().get(group));
            }
            out.add(entry);
        }
        return out;
    }
}
