package io.rotquant.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceChoiceTest {
    @Test
    void parsesEveryForm() {
        assertThat(DeviceChoice.parse("cpu")).isEqualTo(DeviceChoice.CPU);
        assertThat(DeviceChoice.parse("CUDA")).isEqualTo(new DeviceChoice(DeviceChoice.Kind.CUDA, 0));
        assertThat(DeviceChoice.parse("cuda:3")).isEqualTo(new DeviceChoice(DeviceChoice.Kind.CUDA, 3));
        assertThat(DeviceChoice.parse("auto").kind()).isEqualTo(DeviceChoice.Kind.AUTO);
        assertThat(DeviceChoice.parse("cuda:3").toString()).isEqualTo("cuda:3");
        assertThat(DeviceChoice.parse("cpu").wantsGpu()).isFalse();
        assertThat(DeviceChoice.parse("auto").wantsGpu()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu", "cuda:", "cuda:-1", "cuda:x", "cpu:0", ""})
    void rejectsOthersInOneLineNamingTheForms(String value) {
        assertThatThrownBy(() -> DeviceChoice.parse(value)).isInstanceOf(InvalidInputException.class)
                .hasMessage("--device: '" + value + "' is not one of cpu, cuda, cuda:N, auto");
    }
}
