package io.rotquant.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MavenNamesTest {
    @Test
    void flagsBecomeTheUserPropertiesThatSetThem() {
        assertThat(MavenNames.of("--w-bits must be 2..8 or 16, got 1")).isEqualTo("rotquant.wBits must be 2..8 or 16, got 1");
        assertThat(MavenNames.of("--w-group 48 does not divide hidden_size = 64 (config.json)"))
                .isEqualTo("rotquant.wGroup 48 does not divide hidden_size = 64 (config.json)");
        assertThat(MavenNames.of("--model /m: directory not found")).isEqualTo("rotquant.modelDirectory /m: directory not found");
        assertThat(MavenNames.of("--no-w-clip with --gptq-act-order")).isEqualTo("rotquant.wClip with rotquant.gptqActOrder");
        assertThat(MavenNames.of("a plain message")).isEqualTo("a plain message");
    }
}
