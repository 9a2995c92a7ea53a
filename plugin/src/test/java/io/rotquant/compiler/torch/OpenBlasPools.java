package io.rotquant.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Supplier;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Assumptions;

/** Test support for {@link Torch#oneBlasThread}: a computation run on OpenBLAS pools of two threads and of one. */
public final class OpenBlasPools {
    private OpenBlasPools() {
    }

    /**
     * Asserts that {@code guarded} gives the same bits on a pool of two threads and of one, and hands
     * the pool back at the size it found, where {@code unguarded} (the same factorizations as LibTorch
     * does them on whatever pool it has) does not: skipped, not passed, where OpenBLAS cannot run two
     * threads or the unguarded result does not differ. The pool's size is restored afterwards.
     */
    public static void assertSameBitsOnOneAndTwoThreads(Supplier<Tensor> unguarded, Supplier<Tensor> guarded) {
        int previous = openblas_full.openblas_get_num_threads();
        try {
            openblas_full.openblas_set_num_threads(2);
            Assumptions.assumeTrue(openblas_full.openblas_get_num_threads() == 2, "OpenBLAS runs two threads here");
            Tensor unguardedTwo = unguarded.get();
            Tensor guardedTwo = guarded.get();
            assertThat(openblas_full.openblas_get_num_threads()).as("the pool's size, restored").isEqualTo(2);
            openblas_full.openblas_set_num_threads(1);
            Tensor unguardedOne = unguarded.get();
            Tensor guardedOne = guarded.get();
            Assumptions.assumeFalse(torch.equal(unguardedOne, unguardedTwo), "OpenBLAS's result depends on its threads here");
            assertThat(torch.equal(guardedOne, guardedTwo)).as("the same bits on one thread and on two").isTrue();
        } finally {
            openblas_full.openblas_set_num_threads(previous);
        }
    }
}
