package io.rotquant.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.config.RopeConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationMemoryTest {
    private static ModelConfig shape(int hidden, int inter, int layers, int heads, int kvHeads, int headDim) {
        return new ModelConfig("llama", hidden, inter, layers, heads, kvHeads, headDim, 128256, 131072, 1e-5,
                new RopeConfig(500000.0, "default", 1, 1, 1, 0), false, 1, List.of(2));
    }

    @Test
    void oneBillionShapeNeedsAFewGigabytesAndGrowsWithTheCalibrationSet() {
        ModelConfig oneB = shape(2048, 8192, 16, 32, 8, 64);
        long base = CalibrationMemory.needed(oneB, 128, 2048);
        // Residuals alone are 128 × 2048 × 2048 × 4 B = 2.1 GB; with one layer, Hessians and codes about 5–6 GB.
        assertThat(base).isBetween(4_000_000_000L, 7_000_000_000L);
        // Doubling the windows adds their residual stream (plus slack), nothing else.
        long doubled = CalibrationMemory.needed(oneB, 256, 2048);
        assertThat(doubled - base).isBetween(2_147_483_648L, (long) (1.2 * 2_147_483_648L));
    }

    @Test
    void eightBillionShapeIsDominatedByCodesAndResiduals() {
        long need = CalibrationMemory.needed(shape(4096, 14336, 32, 32, 8, 128), 128, 2048);
        // 4.3 GB residuals + 7 GB of int8 codes + a 14336² Hessian ×4 (3.3 GB) + one fp32 layer ×2 (1.7 GB).
        assertThat(need).isBetween(15_000_000_000L, 22_000_000_000L);
    }
}
