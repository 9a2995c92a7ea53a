package io.rotquant.runtime.model;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** A fixed number of worker threads for data-parallel loops (one pool per loaded model). */
final class Parallel implements AutoCloseable {
    private final ForkJoinPool pool;
    private final int threads;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    int threads() {
        return threads;
    }

    /** Runs body(i) for i in [0, n), split over the threads. */
    void forEach(int n, IntConsumer body) {
        if (pool == null || n == 1) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
