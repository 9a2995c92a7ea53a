package io.rotquant.runtime.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Data-parallel loops over a fixed set of worker threads (one set per loaded model). A decoded token
 * runs about sixty loops of tens of microseconds each, so handing work over must cost far less than
 * waking a parked thread: the caller works on the loop itself, and the workers spin briefly for the
 * next loop before they park. Tasks are claimed one at a time from a shared counter. One loop runs on
 * the workers at a time; a loop started while another holds them (sessions on other threads) runs on
 * its caller alone.
 */
final class Parallel implements AutoCloseable {
    /** How long an idle worker spins for the next loop before parking. */
    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock owner = new ReentrantLock();
    private volatile Job job;
    private volatile boolean closed;

    /** One loop: its body and its own counters, so a worker that wakes late cannot touch the next loop. */
    private static final class Job {
        final IntConsumer body;
        final int tasks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger unfinished;
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();

        Job(IntConsumer body, int tasks) {
            this.body = body;
            this.tasks = tasks;
            this.unfinished = new AtomicInteger(tasks);
        }

        /** Claims and runs tasks until none is left, keeping the first failure. */
        void drain() {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                try {
                    body.accept(i);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    unfinished.decrementAndGet();
                }
            }
        }
    }

    Parallel(int threads) {
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("rotquant-worker-" + i).start(this::work);
        }
    }

    int threads() {
        return threads;
    }

    /** Runs body(i) for i in [0, n), split over the caller and the workers. */
    void forEach(int n, IntConsumer body) {
        if (workers.length == 0 || n == 1 || !owner.tryLock()) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        try {
            Job current = new Job(body, n);
            job = current;
            for (Thread worker : workers) {
                LockSupport.unpark(worker);
            }
            current.drain();
            while (current.unfinished.get() > 0) {
                Thread.onSpinWait();
            }
            RuntimeException failure = current.failure.get();
            if (failure != null) {
                throw failure;
            }
        } finally {
            owner.unlock();
        }
    }

    private void work() {
        Job seen = null;
        while (!closed) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Job current;
            while ((current = job) == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = current;
            if (current != null) {
                current.drain();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
