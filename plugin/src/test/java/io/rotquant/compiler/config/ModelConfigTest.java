package io.rotquant.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonObject;
import org.junit.jupiter.api.Test;

class ModelConfigTest {
    private static final String BASE = "\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":172,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":8,\"num_key_value_heads\":4,\"vocab_size\":512,"
            + "\"max_position_embeddings\":512,\"rms_norm_eps\":1e-5";

    private static ModelConfig parse(String extra) {
        return ModelConfig.parse(JsonObject.parse("config.json", "{" + BASE + extra + "}"));
    }

    @Test
    void transformers4StyleRope() {
        ModelConfig c = parse(",\"rope_theta\":500000.0,\"rope_scaling\":null,\"tie_word_embeddings\":true");
        assertThat(c.rope().theta()).isEqualTo(500000.0);
        assertThat(c.rope().type()).isEqualTo("default");
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.tieWordEmbeddings()).isTrue();
    }

    @Test
    void transformers5StyleRopeParameters() {
        ModelConfig c = parse(",\"rope_parameters\":{\"rope_theta\":10000.0,\"rope_type\":\"default\"},\"head_dim\":16");
        assertThat(c.rope().theta()).isEqualTo(10000.0);
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.qDim()).isEqualTo(128);
    }

    @Test
    void llama3ScalingFollowsTheThreeFrequencyBands() {
        ModelConfig c = parse(",\"rope_theta\":500000.0,\"head_dim\":128,\"rope_scaling\":{\"rope_type\":\"llama3\","
                + "\"factor\":32.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
                + "\"original_max_position_embeddings\":8192}");
        double[] scaled = c.rope().inverseFrequencies(128);
        double[] plain = new RopeConfig(500000.0, "default", 1, 1, 1, 0).inverseFrequencies(128);
        // High frequency (wavelength < 8192/4): unchanged.
        assertThat(scaled[0]).isEqualTo(plain[0]);
        // Low frequency (wavelength > 8192): divided by the factor.
        assertThat(scaled[63]).isCloseTo(plain[63] / 32, within(1e-18));
        // In between: a smooth blend, strictly between the two.
        int mid = 0;
        for (int i = 0; i < 64; i++) {
            double wavelength = 2 * Math.PI / plain[i];
            if (wavelength > 2048 && wavelength < 8192) {
                mid = i;
                double s = (8192 / wavelength - 1) / 3;
                assertThat(scaled[i]).isCloseTo((1 - s) * plain[i] / 32 + s * plain[i], within(1e-15));
            }
        }
        assertThat(mid).isPositive();
    }

    @Test
    void eosMayBeAList() {
        assertThat(parse(",\"eos_token_id\":[128001,128008]").eosTokenIds()).containsExactly(128001, 128008);
    }

    @Test
    void qwen2HasQkvBiasesAndItsSwitchedOffSlidingWindowIsFullAttention() {
        String qwen2 = "{" + BASE.replace("\"llama\"", "\"qwen2\"");
        ModelConfig c = ModelConfig.parse(JsonObject.parse("config.json", qwen2 + ",\"use_sliding_window\":false,"
                + "\"sliding_window\":64}"));
        assertThat(c.qkvBias()).isTrue();
        assertThat(parse("").qkvBias()).isFalse();
        assertThatThrownBy(() -> ModelConfig.parse(JsonObject.parse("config.json", qwen2 + ",\"use_sliding_window\":true,"
                + "\"sliding_window\":64}"))).isInstanceOf(InvalidInputException.class)
                .hasMessage("config.json: field 'sliding_window' is set; sliding-window attention is not supported");
        // LLaMA's attention_bias also biases o_proj, which is not supported.
        assertThatThrownBy(() -> parse(",\"attention_bias\":true")).isInstanceOf(InvalidInputException.class)
                .hasMessage("config.json: field 'attention_bias' is true; biased projections are not supported");
    }

    @Test
    void nonLlamaArchitectureIsRefused() {
        assertThatThrownBy(() -> ModelConfig.parse(JsonObject.parse("m/config.json", "{" + BASE.replace("llama", "gpt2") + "}")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("m/config.json: field 'model_type' is 'gpt2', not a LLaMA-family architecture (supported: llama, mistral, qwen2)");
    }

    @Test
    void badFieldsAreNamed() {
        assertThatThrownBy(() -> parse(",\"num_key_value_heads\":3"))
                .hasMessageContaining("field 'num_key_value_heads' (3) must divide num_attention_heads (8)");
        assertThatThrownBy(() -> parse(",\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4}"))
                .hasMessageContaining("unsupported rope_type 'yarn'");
        assertThatThrownBy(() -> ModelConfig.parse(JsonObject.parse("config.json", "{" + BASE.replace("\"hidden_size\":64,", "") + "}")))
                .hasMessage("config.json: missing field 'hidden_size'");
        assertThatThrownBy(() -> parse(",\"hidden_act\":\"gelu\"")).hasMessageContaining("field 'hidden_act' is 'gelu'");
    }
}
