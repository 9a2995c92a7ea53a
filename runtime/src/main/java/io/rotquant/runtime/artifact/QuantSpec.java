package io.rotquant.runtime.artifact;

import io.rotquant.runtime.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The integer formats the runtime must reproduce: weight bits and group size (0 = per output
 * channel), and the dynamic activation and K/V quantizers (bits 2..8, or 16 = not quantized,
 * with their clip ratios), exactly as the compiler simulated them.
 */
public record QuantSpec(int weightBits, int weightGroup, int activationBits, double activationClip, int kvBits,
        double kvClip) {

    public QuantSpec {
        if (weightBits < 2 || weightBits > 8) {
            throw new ArtifactException("quantization: weight_bits must be 2..8, got " + weightBits);
        }
        checkDynamic("activation", activationBits, activationClip);
        checkDynamic("kv", kvBits, kvClip);
        if (weightGroup < 0) {
            throw new ArtifactException("quantization: weight_group must be >= 0, got " + weightGroup);
        }
    }

    private static void checkDynamic(String what, int bits, double clip) {
        if (!(bits >= 2 && bits <= 8 || bits == 16)) {
            throw new ArtifactException("quantization: " + what + "_bits must be 2..8 or 16, got " + bits);
        }
        if (!(clip > 0 && clip <= 1)) {
            throw new ArtifactException("quantization: " + what + "_clip must be in (0, 1], got " + clip);
        }
    }

    /** Weight codes are packed two per byte. */
    public boolean packedWeights() {
        return weightBits <= 4;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weight_bits", weightBits);
        m.put("weight_group", weightGroup);
        m.put("activation_bits", activationBits);
        m.put("activation_clip", activationClip);
        m.put("kv_bits", kvBits);
        m.put("kv_clip", kvClip);
        return m;
    }

    public static QuantSpec fromJson(JsonObject j) {
        return new QuantSpec(ModelSpec.integer(j, "weight_bits"), ModelSpec.integer(j, "weight_group"),
                ModelSpec.integer(j, "activation_bits"), j.number("activation_clip"), ModelSpec.integer(j, "kv_bits"),
                j.number("kv_clip"));
    }
}
