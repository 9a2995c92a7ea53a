package io.rotquant.compiler.distributed;

/**
 * A collective could not complete because another rank of the job stopped (failed, was killed, or
 * its machine became unreachable). The message is one line that names the rank where it is known.
 */
public final class RankLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RankLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
