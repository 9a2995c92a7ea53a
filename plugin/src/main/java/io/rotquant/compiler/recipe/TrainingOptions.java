package io.rotquant.compiler.recipe;

import io.rotquant.compiler.InvalidInputException;

/**
 * How learned rotations train (ALGORITHMS.md §7.3): {@code iters} Cayley SGD steps of
 * {@code batch} calibration windows of {@code seqlen} tokens (0 = the recipe's window length),
 * learning rate {@code lr} on a cosine schedule to 0. {@code iters} 0 keeps the initialisation.
 */
public record TrainingOptions(int iters, double lr, int batch, int seqlen) {
    /** SpinQuant's published schedule: 100 steps × 8 windows, lr 1.5. */
    public static final TrainingOptions DEFAULT = new TrainingOptions(100, 1.5, 8, 0);

    public TrainingOptions {
        if (iters < 0) {
            throw new InvalidInputException("--iters must be 0 or positive, got " + iters);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new InvalidInputException("--lr must be a positive number, got " + lr);
        }
        if (batch < 1) {
            throw new InvalidInputException("--train-batch must be positive, got " + batch);
        }
        if (seqlen < 0) {
            throw new InvalidInputException("--train-seqlen must be positive, got " + seqlen);
        }
    }
}
