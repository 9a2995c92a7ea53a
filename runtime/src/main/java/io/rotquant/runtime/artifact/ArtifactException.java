package io.rotquant.runtime.artifact;

/** An artifact that cannot be used: the message names the file and what is wrong. */
public final class ArtifactException extends RuntimeException {
    public ArtifactException(String message) {
        super(message);
    }

    public ArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
