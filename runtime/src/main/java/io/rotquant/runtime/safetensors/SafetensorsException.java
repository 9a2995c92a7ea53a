package io.rotquant.runtime.safetensors;

/** A file that is not valid safetensors; the message says what is wrong. */
public final class SafetensorsException extends RuntimeException {
    public SafetensorsException(String message) {
        super(message);
    }
}
