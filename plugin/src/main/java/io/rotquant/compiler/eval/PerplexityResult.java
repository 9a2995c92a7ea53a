package io.rotquant.compiler.eval;

/** Perplexity over {@code windows} windows holding {@code tokens} predicted tokens. */
public record PerplexityResult(double ppl, int windows, long tokens, double seconds) {

    public double tokensPerSecond() {
        return tokens / seconds;
    }
}
