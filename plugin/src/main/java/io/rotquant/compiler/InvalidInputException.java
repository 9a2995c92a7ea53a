package io.rotquant.compiler;

/**
 * Input the user can fix: a missing file, a malformed checkpoint, a bad parameter. The message is
 * one line that names the file or parameter and what is wrong; front ends print it without a
 * stack trace.
 */
public final class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
