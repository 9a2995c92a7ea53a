package io.rotquant.runtime.artifact;

import io.rotquant.runtime.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The architecture the runtime needs, as the artifact's {@value ArtifactFormat#KEY_MODEL} metadata stores it. */
public record ModelSpec(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads, int headDim,
        int vocabSize, int maxPositions, double rmsNormEps, int bosTokenId, List<Integer> eosTokenIds) {

    /** Upper bounds that keep every derived allocation checked before it happens. */
    private static final int MAX_DIM = 1 << 16;
    private static final int MAX_VOCAB = 1 << 20;

    public ModelSpec {
        eosTokenIds = List.copyOf(eosTokenIds);
        check(hiddenSize, 2, MAX_DIM, "hidden_size");
        check(intermediateSize, 2, 1 << 18, "intermediate_size");
        check(numLayers, 1, 1024, "num_layers");
        check(numHeads, 1, 1024, "num_heads");
        check(numKvHeads, 1, numHeads, "num_kv_heads");
        check(headDim, 2, 1024, "head_dim");
        check(vocabSize, 1, MAX_VOCAB, "vocab_size");
        check(maxPositions, 1, 1 << 24, "max_positions");
        if (numHeads % numKvHeads != 0 || headDim % 2 != 0) {
            throw new ArtifactException("model: num_heads must be a multiple of num_kv_heads and head_dim even");
        }
        if (!(rmsNormEps > 0 && rmsNormEps < 1)) {
            throw new ArtifactException("model: rms_norm_eps must be in (0, 1), got " + rmsNormEps);
        }
    }

    private static void check(long value, long min, long max, String field) {
        if (value < min || value > max) {
            throw new ArtifactException("model: " + field + " = " + value + " is outside [" + min + ", " + max + "]");
        }
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hidden_size", hiddenSize);
        m.put("intermediate_size", intermediateSize);
        m.put("num_layers", numLayers);
        m.put("num_heads", numHeads);
        m.put("num_kv_heads", numKvHeads);
        m.put("head_dim", headDim);
        m.put("vocab_size", vocabSize);
        m.put("max_positions", maxPositions);
        m.put("rms_norm_eps", rmsNormEps);
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_ids", eosTokenIds);
        return m;
    }

    public static ModelSpec fromJson(JsonObject j) {
        return new ModelSpec(integer(j, "hidden_size"), integer(j, "intermediate_size"), integer(j, "num_layers"),
                integer(j, "num_heads"), integer(j, "num_kv_heads"), integer(j, "head_dim"), integer(j, "vocab_size"),
                integer(j, "max_positions"), j.number("rms_norm_eps"), integer(j, "bos_token_id"),
                j.array("eos_token_ids").stream().map(o -> {
                    if (!(o instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                        throw new ArtifactException("model: eos_token_ids must hold token ids");
                    }
                    return l.intValue();
                }).toList());
    }

    static int integer(JsonObject j, String key) {
        long v = j.integer(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ArtifactException(j.where() + ": " + key + " out of range");
        }
        return (int) v;
    }
}
