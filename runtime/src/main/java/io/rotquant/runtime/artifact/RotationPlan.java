package io.rotquant.runtime.artifact;

import io.rotquant.runtime.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the runtime applies the online rotations: R3 on every query and key head after RoPE (present
 * only when K is quantized) and R4 on the down_proj input. Each is absent or an {@link Online}
 * acting on a column vector, {@code y = M·x}:
 * <ul>
 * <li>{@link Wht}: the same for every layer, {@code M = (had_K ⊗ H_m)/√n} with {@code n = K·2^m};
 * the ±1 factor had_K is the I8 tensor {@link ArtifactFormat#rotation} when K > 1;</li>
 * <li>{@link Matmul}: trained, one dense F32 matrix per layer and per head group
 * ({@link ArtifactFormat#layerRotation}, shape [heads, n, n]); R3 has one per KV head, a query head
 * uses the one of the KV head it reads;</li>
 * <li>{@link Kronecker}: {@code M = A ⊗ B}, each factor a {@link Wht} or a one-head {@link Matmul},
 * their tensors named after the rotation with suffix {@code .a} / {@code .b}.</li>
 * </ul>
 */
public record RotationPlan(Online r3, Online r4) {
    public static final RotationPlan NONE = new RotationPlan(null, null);

    /** One online rotation of vectors of {@link #size()} values. */
    public sealed interface Online permits Wht, Matmul, Kronecker {
        int size();

        Map<String, Object> toJson();

        /** A short human description, e.g. {@code wht 1376 (K=172)} or {@code kron(matmul 172, wht 8)}. */
        String describe();
    }

    /** A Walsh–Hadamard transform of size {@code size = factor·2^m}. */
    public record Wht(int size, int factor) implements Online {
        public Wht {
            checkSize(size);
            if (factor < 1 || size % factor != 0 || Integer.bitCount(size / factor) != 1) {
                throw new ArtifactException("online rotation: WHT size " + size + " is not K·2^m for K = " + factor);
            }
        }

        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "wht");
            m.put("size", size);
            m.put("factor", factor);
            return m;
        }

        @Override
        public String describe() {
            return "wht " + size + (factor > 1 ? " (K=" + factor + ")" : "");
        }
    }

    /** Trained dense rotations: per layer, {@code heads} matrices of {@code size × size}. */
    public record Matmul(int size, int heads) implements Online {
        public Matmul {
            checkSize(size);
            if (heads < 1 || heads > 1 << 12) {
                throw new ArtifactException("online rotation: matmul head count " + heads + " is out of range");
            }
            // Bounds the per-layer tensor before anything is allocated for it.
            if ((long) heads * size * size > 1L << 26) {
                throw new ArtifactException("online rotation: matmul of " + heads + " × " + size + "² values is too large");
            }
        }

        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "matmul");
            m.put("size", size);
            m.put("heads", heads);
            return m;
        }

        @Override
        public String describe() {
            return "matmul " + size + (heads > 1 ? " per layer per KV head" : " per layer");
        }
    }

    /** {@code A ⊗ B}: the vector viewed as an {@code a.size × b.size} matrix X (row-major) becomes {@code A·X·Bᵀ}. */
    public record Kronecker(Online a, Online b) implements Online {
        public Kronecker {
            for (Online factor : new Online[] {a, b}) {
                if (factor instanceof Kronecker || factor instanceof Matmul mm && mm.heads() != 1) {
                    throw new ArtifactException("online rotation: a Kronecker factor must be a wht or a one-head matmul");
                }
            }
            checkSize((long) a.size() * b.size());
        }

        @Override
        public int size() {
            return a.size() * b.size();
        }

        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "kronecker");
            m.put("size", size());
            m.put("a", a.toJson());
            m.put("b", b.toJson());
            return m;
        }

        @Override
        public String describe() {
            return "kron(" + a.describe() + ", " + b.describe() + ")";
        }
    }

    private static void checkSize(long size) {
        if (size < 1 || size > 1 << 18) {
            throw new ArtifactException("online rotation: size " + size + " is out of range");
        }
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("r3", r3 == null ? null : r3.toJson());
        m.put("r4", r4 == null ? null : r4.toJson());
        return m;
    }

    public static RotationPlan fromJson(JsonObject j) {
        return new RotationPlan(j.optObject("r3").map(RotationPlan::online).orElse(null),
                j.optObject("r4").map(RotationPlan::online).orElse(null));
    }

    private static Online online(JsonObject j) {
        String kind = j.string("kind");
        Online online = switch (kind) {
            case "wht" -> new Wht(ModelSpec.integer(j, "size"), ModelSpec.integer(j, "factor"));
            case "matmul" -> new Matmul(ModelSpec.integer(j, "size"), ModelSpec.integer(j, "heads"));
            case "kronecker" -> new Kronecker(online(j.object("a")), online(j.object("b")));
            default -> throw new ArtifactException("online rotation: unknown kind '" + kind + "'");
        };
        if (online.size() != ModelSpec.integer(j, "size")) {
            throw new ArtifactException("online rotation: size " + ModelSpec.integer(j, "size") + " is not the product of "
                    + "its factors' sizes (" + online.size() + ")");
        }
        return online;
    }
}
