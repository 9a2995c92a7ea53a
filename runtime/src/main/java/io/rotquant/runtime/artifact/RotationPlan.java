package io.rotquant.runtime.artifact;

import io.rotquant.runtime.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the runtime applies the online rotations: R3 on every query and key head after RoPE (present
 * only when K is quantized) and R4 on the down_proj input. Each is absent, a Walsh-Hadamard
 * transform of size {@code n = K·2^m} ({@code y = x·(had_K ⊗ H_m)ᵀ/√n}; the ±1 factor had_K is
 * stored as tensor {@link ArtifactFormat#rotation} when K > 1), or a dense {@code n×n} matrix
 * ({@code y = x·Mᵀ}, stored as F32).
 */
public record RotationPlan(Online r3, Online r4) {

    public enum Kind {
        WHT, MATMUL;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One online rotation. {@code factor} is K for a WHT and n for a matmul. */
    public record Online(Kind kind, int size, int factor) {
        public Online {
            if (size < 1 || size > 1 << 18 || factor < 1 || size % factor != 0) {
                throw new ArtifactException("online rotation: size " + size + " and factor " + factor + " do not fit");
            }
            int m = size / factor;
            if (kind == Kind.WHT && (m & (m - 1)) != 0) {
                throw new ArtifactException("online rotation: WHT size " + size + " is not K·2^m for K = " + factor);
            }
            if (kind == Kind.MATMUL && factor != size) {
                throw new ArtifactException("online rotation: a matmul's factor must equal its size");
            }
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", kind.label());
            m.put("size", size);
            m.put("factor", factor);
            return m;
        }

        static Online fromJson(JsonObject j) {
            String kind = j.string("kind");
            Kind k = switch (kind) {
                case "wht" -> Kind.WHT;
                case "matmul" -> Kind.MATMUL;
                default -> throw new ArtifactException("online rotation: unknown kind '" + kind + "'");
            };
            return new Online(k, ModelSpec.integer(j, "size"), ModelSpec.integer(j, "factor"));
        }
    }

    public static final RotationPlan NONE = new RotationPlan(null, null);

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("r3", r3 == null ? null : r3.toJson());
        m.put("r4", r4 == null ? null : r4.toJson());
        return m;
    }

    public static RotationPlan fromJson(JsonObject j) {
        return new RotationPlan(j.optObject("r3").map(Online::fromJson).orElse(null),
                j.optObject("r4").map(Online::fromJson).orElse(null));
    }
}
