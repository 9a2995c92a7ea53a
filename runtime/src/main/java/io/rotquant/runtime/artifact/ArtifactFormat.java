package io.rotquant.runtime.artifact;

/**
 * Names and constants of the artifact format, shared by the compiler's writer and the reader.
 *
 * <p>Metadata (all strings, as safetensors requires): {@value #KEY_FORMAT} = {@value #FORMAT},
 * {@value #KEY_VERSION}, {@value #KEY_MODEL} (architecture JSON, {@link ModelSpec}),
 * {@value #KEY_QUANT} (bit widths and clip ratios, {@link QuantSpec}), {@value #KEY_PLAN} (online
 * rotations, {@link RotationPlan}), {@value #KEY_RECIPE} (the full recipe, informational),
 * {@value #KEY_DIGESTS} (SHA-256 of the inputs, informational) and {@value #KEY_CHECKSUM}
 * (SHA-256 of the data section, hex).
 */
public final class ArtifactFormat {
    public static final String FORMAT = "rotquant";
    public static final int VERSION = 2;
    public static final int ALIGNMENT = 64;

    public static final String KEY_FORMAT = "format";
    public static final String KEY_VERSION = "format_version";
    public static final String KEY_MODEL = "model";
    public static final String KEY_QUANT = "quantization";
    public static final String KEY_PLAN = "online_rotations";
    public static final String KEY_RECIPE = "recipe";
    public static final String KEY_DIGESTS = "input_digests";
    public static final String KEY_CHECKSUM = "data_sha256";
    /** The checkpoint's chat template and its special tokens ({@link io.rotquant.runtime.chat.ChatFormat}); absent without one. */
    public static final String KEY_CHAT = "chat";

    /** A token table: F16 [vocab, d], I8 [vocab, d] or packed U8 [vocab, d/2], with its {@link #rowScales}. */
    public static final String EMBEDDING = "embed_tokens";
    /** A token table, as {@link #EMBEDDING}. */
    public static final String LM_HEAD = "lm_head";
    /** The dtype of an 8-bit embedding or head: symmetric codes in [−127, 127], one F32 scale per row. */
    public static final String ROW_CODES_DTYPE = "I8";
    /**
     * The dtype of a 4-bit embedding or head: symmetric codes in [−8, 7] two per byte (low nibble: the
     * even column), with F32 scales [vocab, groups], one per group of d/groups columns of a row.
     */
    public static final String GROUP_CODES_DTYPE = "U8";
    /** F32 [d]; absent when fused into lm_head (then the norm has no weight). */
    public static final String FINAL_NORM = "final_norm";
    /** F32 [head_dim / 2]: RoPE inverse frequencies, scaling already applied. */
    public static final String ROPE_INVERSE_FREQUENCIES = "rope_inv_freq";
    /** U8 [bytes]: the Hugging Face tokenizer.json. */
    public static final String TOKENIZER = "tokenizer_json";

    /**
     * The scales of token table {@code table}: F32 [vocab] for I8 codes (row = codes × scale), F32
     * [vocab, groups] for 4-bit codes (each group of a row = codes × its scale).
     */
    public static String rowScales(String table) {
        return table + ".scales";
    }

    /** The seven linears of a layer, in forward order. */
    public static final String[] LINEARS = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};

    private ArtifactFormat() {
    }

    /** F32 [d]: a layer's input norm weight ({@code "input"}) or post-attention one ({@code "post"}); absent when fused. */
    public static String norm(int layer, String which) {
        return "layers." + layer + "." + which + "_norm";
    }

    /**
     * A linear's codes: U8 [out, in/2] two's-complement nibbles, even column in the low nibble, for
     * weight bits up to 4; I8 [out, in] for 5 to 8 bits.
     */
    public static String codes(int layer, String linear) {
        return "layers." + layer + "." + linear + ".codes";
    }

    /**
     * F32 [out]: the bias of a layer's {@code q_proj}, {@code k_proj} or {@code v_proj}, added to the
     * projection's output; present only for architectures that have them (Qwen2). An older runtime
     * refuses such an artifact as holding an unexpected tensor.
     */
    public static String bias(int layer, String linear) {
        return "layers." + layer + "." + linear + ".bias";
    }

    /** F32 [out, groups]: the scale of each row and group of input columns (one group per channel if unset). */
    public static String scales(int layer, String linear) {
        return "layers." + layer + "." + linear + ".scales";
    }

    /**
     * I8 [K, K]: the ±1 factor had_K of a Walsh–Hadamard online rotation ({@code "r3"}, {@code "r4"},
     * or a Kronecker factor {@code "r4.a"}, {@code "r4.b"}), the same for every layer.
     */
    public static String rotation(String name) {
        return "online." + name;
    }

    /** F32 [heads, n, n]: a layer's trained matrices of a matmul online rotation (names as {@link #rotation}). */
    public static String layerRotation(int layer, String name) {
        return "layers." + layer + ".online." + name;
    }
}
