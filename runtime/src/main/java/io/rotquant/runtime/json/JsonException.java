package io.rotquant.runtime.json;

/** Malformed JSON, or a value of the wrong type where a caller expected another. */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
