package io.rotquant.compiler;

/**
 * A request to stop, checked between units of work. A process stopped while a LibTorch call runs
 * can crash in LibTorch's exit-time destructors; front ends therefore request cancellation when the
 * JVM starts to shut down and wait until the work has reached a {@link #checkpoint()} and unwound
 * (releasing its native memory and removing partial output on the way).
 */
public final class Cancellation {
    private static volatile boolean requested;

    private Cancellation() {
    }

    /** Asks every running unit of work to stop at its next checkpoint. */
    public static void request() {
        requested = true;
    }

    /** Throws {@link CancelledException} once cancellation is requested; called between units of work. */
    public static void checkpoint() {
        if (requested) {
            throw new CancelledException();
        }
    }

    /** The work stopped at a checkpoint because cancellation was requested. */
    public static final class CancelledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CancelledException() {
            super("cancelled");
        }
    }
}
