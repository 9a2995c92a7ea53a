package io.rotquant.runtime.model;

import java.util.function.IntConsumer;

/**
 * The project's perplexity protocol on the runtime: the text's token stream (the tokenizer's own
 * BOS handling) cut into non-overlapping windows of {@code window} tokens, each run from an empty
 * cache, PPL = exp(mean next-token NLL), the log-softmax in double.
 */
public final class Perplexity {
    /** The result: perplexity, windows and predicted tokens, wall time. */
    public record Result(double ppl, int windows, long tokens, double seconds) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    private Perplexity() {
    }

    /** Evaluates the first {@code maxWindows} windows (0: all); {@code progress} hears each finished window. */
    public static Result evaluate(RotQuantModel model, String text, int window, int maxWindows, IntConsumer progress) {
        if (window < 2 || window > model.spec().maxPositions()) {
            throw new IllegalArgumentException("window " + window + " must be between 2 and the context "
                    + model.spec().maxPositions());
        }
        int[] tokens = model.tokenizer().encode(text);
        int available = tokens.length / window;
        if (available == 0) {
            throw new IllegalArgumentException("the text has " + tokens.length + " tokens, fewer than one window of "
                    + window);
        }
        int windows = maxWindows > 0 ? Math.min(maxWindows, available) : available;
        long start = System.nanoTime();
        Session session = model.newSession();
        double nll = 0;
        for (int w = 0; w < windows; w++) {
            session.reset();
            int base = w * window;
            double[] sum = {0};
            session.forward(tokens, base, window, true, (t, logits) -> {
                if (t < window - 1) {
                    sum[0] += negativeLogLikelihood(logits, tokens[base + t + 1]);
                }
            });
            nll += sum[0];
            progress.accept(w);
        }
        long predicted = (long) windows * (window - 1);
        return new Result(Math.exp(nll / predicted), windows, predicted, (System.nanoTime() - start) / 1e9);
    }

    static double negativeLogLikelihood(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return Math.log(sum) + max - logits[target];
    }
}
