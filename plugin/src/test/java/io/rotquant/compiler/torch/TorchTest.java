package io.rotquant.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.model.ComputeDType;
import org.bytedeco.openblas.global.openblas_full;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TorchTest {
    @AfterEach
    void everyCoreAgain() {
        Torch.init(DeviceChoice.CPU, 0, ComputeDType.FP32.scalarType(), line -> { });
    }

    @Test
    void onTheCpuOpenBlasGetsTheThreadsTheComputationWasGiven() {
        // Whatever OPENBLAS_NUM_THREADS this JVM started with: the pool's size changes a GEMM's sums.
        for (int threads : new int[] {1, 2}) {
            Torch.init(DeviceChoice.CPU, threads, ComputeDType.FP32.scalarType(), line -> { });
            assertThat(openblas_full.openblas_get_num_threads()).as("OpenBLAS's pool with --threads %d", threads)
                    .isEqualTo(threads);
        }
        Torch.init(DeviceChoice.CPU, 0, ComputeDType.FP32.scalarType(), line -> { });
        assertThat(openblas_full.openblas_get_num_threads()).as("with --threads 0, every core")
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
