package io.rotquant.compiler.config;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonObject;
import java.util.Optional;

/**
 * RoPE parameters: the base and the frequency scaling ({@code default}, {@code linear} or
 * {@code llama3}). Reads the transformers 4.x layout ({@code rope_theta} + {@code rope_scaling})
 * and the 5.x layout ({@code rope_parameters}).
 */
public record RopeConfig(double theta, String type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositions) {

    public static RopeConfig from(JsonObject config) {
        if (config.has("rope_parameters")) {
            JsonObject params = config.object("rope_parameters");
            double theta = params.optNumber("rope_theta").orElse(config.optNumber("rope_theta").orElse(10000.0));
            return scaled(theta, Optional.of(params), config);
        }
        double theta = config.optNumber("rope_theta").orElse(10000.0);
        return scaled(theta, config.optObject("rope_scaling"), config);
    }

    private static RopeConfig scaled(double theta, Optional<JsonObject> scaling, JsonObject config) {
        if (!(theta > 0)) {
            throw new InvalidInputException(config.where() + ": field 'rope_theta' must be positive, got " + theta);
        }
        if (scaling.isEmpty()) {
            return new RopeConfig(theta, "default", 1, 1, 1, 0);
        }
        JsonObject s = scaling.get();
        String type = s.optString("rope_type").or(() -> s.optString("type")).orElse("default");
        return switch (type) {
            case "default" -> new RopeConfig(theta, type, 1, 1, 1, 0);
            case "linear" -> new RopeConfig(theta, type, positive(s, "factor"), 1, 1, 0);
            case "llama3" -> {
                RopeConfig rope = new RopeConfig(theta, type, positive(s, "factor"), positive(s, "low_freq_factor"),
                        positive(s, "high_freq_factor"), (int) s.integer("original_max_position_embeddings"));
                if (rope.highFreqFactor <= rope.lowFreqFactor) {
                    throw new InvalidInputException(s.where() + ": 'high_freq_factor' must exceed 'low_freq_factor'");
                }
                yield rope;
            }
            default -> throw new InvalidInputException(s.where() + ": unsupported rope_type '" + type
                    + "' (supported: default, linear, llama3)");
        };
    }

    private static double positive(JsonObject s, String key) {
        double v = s.number(key);
        if (!(v > 0)) {
            throw new InvalidInputException(s.where() + ": field '" + key + "' must be positive, got " + v);
        }
        return v;
    }

    /** The per-pair inverse frequencies of one head, {@code headDim/2} values, scaling applied. */
    public double[] inverseFrequencies(int headDim) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        switch (type) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= factor;
                }
            }
            case "llama3" -> {
                double lowWavelength = originalMaxPositions / lowFreqFactor;
                double highWavelength = originalMaxPositions / highFreqFactor;
                for (int i = 0; i < inv.length; i++) {
                    double wavelength = 2 * Math.PI / inv[i];
                    if (wavelength > lowWavelength) {
                        inv[i] /= factor;
                    } else if (wavelength >= highWavelength) {
                        double smooth = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                    }
                }
            }
            default -> {
            }
        }
        return inv;
    }
}
