package io.rotquant.runtime.tokenizer;

/** A {@code tokenizer.json} that cannot be used: names the file and the component at fault. */
public final class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenizerException(String message) {
        super(message);
    }
}
