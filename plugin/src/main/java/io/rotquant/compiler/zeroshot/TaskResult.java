package io.rotquant.compiler.zeroshot;

/** Accuracy of one task over {@code count} questions; accNorm is NaN where the task has none. */
public record TaskResult(String task, int count, double acc, double accNorm, boolean reportsAccNorm, double seconds) {

    /** The number the papers report: acc_norm where the task has it, else acc. */
    public double headline() {
        return reportsAccNorm ? accNorm : acc;
    }

    /** Standard error of {@link #headline()} over the questions (see {@link #standardError}). */
    public double headlineStandardError() {
        return standardError(headline(), count);
    }

    /** The standard error of an accuracy {@code p} over {@code n} questions, as lm-evaluation-harness gives it: √(p(1−p)/(n−1)). */
    public static double standardError(double p, int n) {
        return n > 1 ? Math.sqrt(p * (1 - p) / (n - 1)) : Double.NaN;
    }
}
