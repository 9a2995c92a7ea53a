package io.rotquant.compiler.zeroshot;

/** Accuracy of one task over {@code count} questions; accNorm is NaN where the task has none. */
public record TaskResult(String task, int count, double acc, double accNorm, boolean reportsAccNorm, double seconds) {

    /** The number the papers report: acc_norm where the task has it, else acc. */
    public double headline() {
        return reportsAccNorm ? accNorm : acc;
    }

    /** Standard error of {@link #headline()} over the questions, as lm-evaluation-harness gives it: √(p(1−p)/(n−1)). */
    public double headlineStandardError() {
        double p = headline();
        return count > 1 ? Math.sqrt(p * (1 - p) / (count - 1)) : Double.NaN;
    }
}
