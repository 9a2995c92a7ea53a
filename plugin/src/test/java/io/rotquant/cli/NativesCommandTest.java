package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.torch.CudaLibraries;
import org.junit.jupiter.api.Test;

/** What bin/rotquant is told for each --device; the CI machine has no NVIDIA driver. */
class NativesCommandTest {
    private static boolean machineHasCuda() {
        return CudaLibraries.problem() == null;
    }

    @Test
    void cpuNeedsNothingMore() {
        CliRun run = CliRun.of("natives", "--device", "cpu");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).isEqualTo("device cpu");
    }

    @Test
    void autoWithoutCudaStaysOnTheCpuAndSaysWhyOnStderr() {
        CliRun run = CliRun.of("natives", "--device", "auto");
        assertThat(run.exitCode()).isZero();
        if (machineHasCuda()) {
            assertThat(run.out()).contains("device auto", "remove org.bytedeco:pytorch:", "add org.bytedeco:cuda:");
        } else {
            assertThat(run.out().strip()).isEqualTo("device cpu");
            assertThat(run.err().strip()).startsWith("rotquant: device auto: compiling on the CPU: ");
        }
    }

    @Test
    void cudaWithoutCudaIsOneLineAndExitCode2() {
        CliRun run = CliRun.of("natives", "--device", "cuda:1");
        if (machineHasCuda()) {
            assertThat(run.out()).contains("device cuda:1", "add org.bytedeco:pytorch:");
        } else {
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err().strip()).startsWith("rotquant: error: --device cuda:1: ").doesNotContain("\n");
            assertThat(run.out()).isEmpty();
        }
    }
}
