package io.rotquant.compiler.recipe;

/**
 * The recipe of an artifact when nothing else is said: QuaRot (randomized Hadamard) at W4A4KV4,
 * weights by GPTQ, the setting the runtime's integer kernels are for. The Maven goals and
 * {@code rotquant compile} take their defaults from here; {@code eval} and the tables start from
 * full precision instead, so that a bare evaluation measures the checkpoint itself.
 */
public final class ArtifactDefaults {
    public static final String ROTATION = "hadamard";
    public static final String W_BITS = "4";
    public static final String A_BITS = "4";
    public static final String KV_BITS = "4";

    private ArtifactDefaults() {
    }
}
