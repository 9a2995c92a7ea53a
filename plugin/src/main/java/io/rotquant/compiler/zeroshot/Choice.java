package io.rotquant.compiler.zeroshot;

/** One scored option: the continuation's likelihood given the context; {@code length} normalizes acc_norm. */
public record Choice(String context, String continuation, int length) {
}
