package io.rotquant.compiler.learn;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Progress lines of a training run: the first step, then about ten evenly spaced ones and the
 * last, each with the loss, the gradient's norm before clipping (over every matrix, summed over the
 * ranks), the learning rate, the time per step and the time left.
 */
final class TrainingProgress {
    private final String name;
    private final int steps;
    private final Consumer<String> log;
    private final long start = System.nanoTime();
    private final int every;

    TrainingProgress(String name, int steps, Consumer<String> log) {
        this.name = name;
        this.steps = steps;
        this.log = log;
        this.every = Math.max(1, steps / 10);
    }

    void step(int t, double loss, double gradNorm, double lr) {
        int done = t + 1;
        if (t != 0 && done % every != 0 && done != steps) {
            return;
        }
        double perStep = (System.nanoTime() - start) / 1e9 / done;
        log.accept(String.format(Locale.ROOT, "%s: iter %d/%d loss %.4f grad norm %.6g lr %.3f %.2f s/iter ETA %s", name,
                done, steps, loss, gradNorm, lr, perStep, duration(perStep * (steps - done))));
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
