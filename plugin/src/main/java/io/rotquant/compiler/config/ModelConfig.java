package io.rotquant.compiler.config;

import static io.rotquant.compiler.recipe.RecipeParameter.SEQLEN;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The architecture of a LLaMA-family model as {@code config.json} describes it, validated. */
public record ModelConfig(String modelType, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
        int numKvHeads, int headDim, int vocabSize, int maxPositions, double rmsNormEps, RopeConfig rope,
        boolean tieWordEmbeddings, int bosTokenId, List<Integer> eosTokenIds) {

    /** Architectures whose HF checkpoints share LLaMA's tensor names and block structure. */
    public static final Set<String> SUPPORTED_TYPES = Set.of("llama", "mistral", "qwen2");
    /** Of those, the ones whose q, k and v projections have biases (and only those three). */
    private static final Set<String> QKV_BIAS_TYPES = Set.of("qwen2");

    public static ModelConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file + ": file not found");
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        try {
            return parse(JsonObject.parse(file.toString(), text));
        } catch (JsonException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    static ModelConfig parse(JsonObject c) {
        String type = c.string("model_type");
        if (!SUPPORTED_TYPES.contains(type)) {
            throw new InvalidInputException(c.where() + ": field 'model_type' is '" + type
                    + "', not a LLaMA-family architecture (supported: " + String.join(", ", new TreeSet<>(SUPPORTED_TYPES))
                    + ")");
        }
        String act = c.optString("hidden_act").orElse("silu");
        if (!act.equals("silu")) {
            throw new InvalidInputException(c.where() + ": field 'hidden_act' is '" + act + "', only silu is supported");
        }
        for (String bias : List.of("attention_bias", "mlp_bias")) {
            if (c.bool(bias, false)) {
                throw new InvalidInputException(c.where() + ": field '" + bias + "' is true; biased projections are not supported");
            }
        }
        // Qwen2 configs give a window with use_sliding_window false: full attention.
        if (c.bool("use_sliding_window", true) && c.has("sliding_window")
                && c.integer("sliding_window") < c.optInteger("max_position_embeddings").orElse(0L)) {
            throw new InvalidInputException(c.where() + ": field 'sliding_window' is set; sliding-window attention is not supported");
        }
        int hidden = positive(c, "hidden_size");
        int heads = positive(c, "num_attention_heads");
        int kvHeads = c.has("num_key_value_heads") ? positive(c, "num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw new InvalidInputException(c.where() + ": field 'num_key_value_heads' (" + kvHeads
                    + ") must divide num_attention_heads (" + heads + ")");
        }
        int headDim;
        if (c.has("head_dim")) {
            headDim = positive(c, "head_dim");
        } else if (hidden % heads == 0) {
            headDim = hidden / heads;
        } else {
            throw new InvalidInputException(c.where() + ": field 'hidden_size' (" + hidden
                    + ") is not a multiple of num_attention_heads (" + heads + ") and there is no head_dim");
        }
        if (headDim % 2 != 0) {
            throw new InvalidInputException(c.where() + ": field 'head_dim' must be even for RoPE, got " + headDim);
        }
        double eps = c.optNumber("rms_norm_eps").orElse(1e-6);
        if (!(eps > 0)) {
            throw new InvalidInputException(c.where() + ": field 'rms_norm_eps' must be positive, got " + eps);
        }
        return new ModelConfig(type, hidden, positive(c, "intermediate_size"), positive(c, "num_hidden_layers"), heads,
                kvHeads, headDim, positive(c, "vocab_size"), positive(c, "max_position_embeddings"), eps,
                RopeConfig.from(c), c.bool("tie_word_embeddings", false), tokenId(c, "bos_token_id"), eosIds(c));
    }

    private static int positive(JsonObject c, String key) {
        long v = c.integer(key);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new InvalidInputException(c.where() + ": field '" + key + "' must be a positive integer, got " + v);
        }
        return (int) v;
    }

    private static int tokenId(JsonObject c, String key) {
        return c.has(key) ? (int) c.integer(key) : -1;
    }

    private static List<Integer> eosIds(JsonObject c) {
        if (!c.has("eos_token_id")) {
            return List.of();
        }
        if (c.raw("eos_token_id") instanceof List<?> list) {
            return list.stream().map(o -> {
                if (!(o instanceof Long l)) {
                    throw new InvalidInputException(c.where() + ": field 'eos_token_id' must hold integers");
                }
                return l.intValue();
            }).toList();
        }
        return List.of((int) c.integer("eos_token_id"));
    }

    /** A window length the model can run: 2..max_position_embeddings, or a one-line error. */
    public int checkWindow(int length) {
        if (length < 2 || length > maxPositions) {
            throw new InvalidInputException(SEQLEN.named() + " " + length + " must be between 2 and the model's context "
                    + "(config.json max_position_embeddings = " + maxPositions + ")");
        }
        return length;
    }

    /** Whether q_proj, k_proj and v_proj carry biases (Qwen2). */
    public boolean qkvBias() {
        return QKV_BIAS_TYPES.contains(modelType);
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }
}
