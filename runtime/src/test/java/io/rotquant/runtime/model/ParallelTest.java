package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyTaskRunsExactlyOnceInEveryLoopAndFailuresReachTheCaller() {
        try (Parallel parallel = new Parallel(3)) {
            for (int loop = 0; loop < 2_000; loop++) {
                int n = 1 + loop % 37;
                AtomicIntegerArray runs = new AtomicIntegerArray(n);
                parallel.forEach(n, runs::incrementAndGet);
                for (int i = 0; i < n; i++) {
                    assertThat(runs.get(i)).as("loop %d task %d", loop, i).isEqualTo(1);
                }
            }
            for (int failing = 0; failing < 16; failing++) {
                int bad = failing;
                assertThatThrownBy(() -> parallel.forEach(16, i -> {
                    if (i == bad) {
                        throw new IllegalStateException("task " + i);
                    }
                })).isInstanceOf(IllegalStateException.class).hasMessage("task " + bad);
            }
        }
    }

    @Test
    void loopsStartedFromSeveralThreadsAtOnceAllComplete() throws Exception {
        try (Parallel parallel = new Parallel(2)) {
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                Future<?>[] results = new Future<?>[4];
                for (int c = 0; c < results.length; c++) {
                    results[c] = callers.submit(() -> {
                        for (int loop = 0; loop < 500; loop++) {
                            AtomicIntegerArray runs = new AtomicIntegerArray(50);
                            parallel.forEach(50, runs::incrementAndGet);
                            for (int i = 0; i < 50; i++) {
                                assertThat(runs.get(i)).isEqualTo(1);
                            }
                        }
                        return null;
                    });
                }
                for (Future<?> f : results) {
                    f.get();
                }
            } finally {
                callers.shutdown();
            }
        }
    }
}
