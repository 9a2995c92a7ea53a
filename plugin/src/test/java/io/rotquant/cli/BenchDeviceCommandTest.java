package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.json.JsonObject;
import org.junit.jupiter.api.Test;

/** bench-device on the CPU: each rate measured and positive, no TF32 line without a GPU, bad sizes refused. */
class BenchDeviceCommandTest {
    @Test
    void measuresMatmulHessianAndCopyRatesOnTheCpu() {
        CliRun run = CliRun.of("bench-device", "--size", "128", "--tokens", "64", "--copy-mib", "4", "--warmup", "0",
                "--repeat", "3", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonObject json = JsonObject.parse("stdout", run.lastLine());
        assertThat(json.string("device")).isEqualTo("cpu");
        assertThat(json.number("fp32_matmul_tflops")).isPositive();
        assertThat(json.number("hessian_update_tflops")).isPositive();
        assertThat(json.number("copy_gb_per_s")).isPositive();
        assertThat(json.has("tf32_matmul_tflops")).isFalse();
        assertThat(run.out()).contains("fp32 matmul 128³").contains("copy of 4 MiB");
    }

    @Test
    void aNonPositiveSizeIsOneLine() {
        CliRun run = CliRun.of("bench-device", "--size", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).startsWith("rotquant: error: --size").doesNotContain("\n");
    }
}
