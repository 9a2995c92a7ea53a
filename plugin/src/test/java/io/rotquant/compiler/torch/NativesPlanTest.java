package io.rotquant.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import org.junit.jupiter.api.Test;

class NativesPlanTest {
    private static final String NO_DRIVER = "no NVIDIA driver (libcuda.so.1 ...)";

    @Test
    void cpuNeverTouchesTheGpuBuild() {
        NativesPlan plan = NativesPlan.forDevice(DeviceChoice.CPU, null);
        assertThat(plan.gpu()).isFalse();
        assertThat(plan.additions()).isEmpty();
        assertThat(plan.device()).isEqualTo("cpu");
    }

    @Test
    void cudaOnACapableMachineGetsLibTorchsGpuBuildAndTheCudaPresets() {
        NativesPlan plan = NativesPlan.forDevice(DeviceChoice.parse("cuda:1"), null);
        assertThat(plan.gpu()).isTrue();
        assertThat(plan.device()).isEqualTo("cuda:1");
        assertThat(plan.additions()).extracting(Object::toString).containsExactly(
                "org.bytedeco:pytorch:" + Natives.cpuTorch().version() + ":linux-x86_64-gpu",
                "org.bytedeco:cuda:" + Natives.gpu().get(1).version(),
                "org.bytedeco:cuda:" + Natives.gpu().get(1).version() + ":linux-x86_64");
        assertThat(Natives.cpuTorch().toString()).isEqualTo("org.bytedeco:pytorch:" + Natives.cpuTorch().version()
                + ":linux-x86_64");
        assertThat(Natives.cpuTorch().version()).matches("\\d+\\.\\d+\\.\\d+-\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void cudaOnAMachineWithoutTheLibrariesFailsInOneLine() {
        assertThatThrownBy(() -> NativesPlan.forDevice(DeviceChoice.parse("cuda"), NO_DRIVER))
                .isInstanceOf(InvalidInputException.class).hasMessage("--device cuda:0: " + NO_DRIVER);
    }

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() {
        NativesPlan plan = NativesPlan.forDevice(DeviceChoice.parse("auto"), NO_DRIVER);
        assertThat(plan.gpu()).isFalse();
        assertThat(plan.device()).isEqualTo("cpu");
        assertThat(plan.note()).isEqualTo("device auto: compiling on the CPU: " + NO_DRIVER);
        assertThat(NativesPlan.forDevice(DeviceChoice.parse("auto"), null).device()).isEqualTo("auto");
    }

    @Test
    void theCpuBuildIsWhatTestsRunOn() {
        assertThat(Natives.gpuBuildPresent()).isFalse();
    }
}
