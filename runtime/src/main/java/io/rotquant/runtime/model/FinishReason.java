package io.rotquant.runtime.model;

/** Why a generation ended. */
public enum FinishReason {
    /** The model produced a stop token (by default its EOS ids); the stop token is not in the result. */
    STOP_TOKEN,
    /** The text reached one of the stop strings; the result's text ends before it. */
    STOP_STRING,
    /** {@code maxTokens} tokens were generated. */
    LENGTH,
    /** The session reached the model's context length. */
    CONTEXT_FULL,
    /** {@link Generation#cancel()} was called (from the token listener or another thread). */
    CANCELLED
}
