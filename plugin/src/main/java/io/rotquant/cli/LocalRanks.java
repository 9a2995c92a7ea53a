package io.rotquant.cli;

import io.rotquant.compiler.Cancellation;
import io.rotquant.compiler.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --nproc N}: starts N ranks of the same command as child JVMs of this one (same JVM, flags
 * and classpath), meeting at a free port on the loopback interface, and waits for them. Each rank
 * prints its own lines. When one ends with an error, the others are given time to stop on their
 * own (their next collective fails and names it), then stopped; this process then says which rank
 * ended the job, in one line.
 */
final class LocalRanks {
    /** How long the other ranks get to notice a lost rank and unwind before they are stopped. */
    private static final long GRACE_SECONDS = 60;
    private static final long POLL_MILLIS = 200;
    /** The options each rank gets in its own words. */
    private static final java.util.Set<String> REPLACED = java.util.Set.of("--nproc", "--threads", "--device", "--rank",
            "--world-size", "--master");

    private LocalRanks() {
    }

    /**
     * Runs {@code args} (this command's arguments, {@code --nproc} among them) as {@code nproc}
     * ranks; {@code device} and {@code threads} are the command's own, split over the ranks.
     * Returns the exit code: 0, or that of the first rank that failed.
     */
    static int run(List<String> args, int nproc, String device, int threads) {
        int port = freePort();
        int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        int perRank = Math.max(1, cores / nproc);
        List<Process> ranks = new ArrayList<>();
        try {
            for (int r = 0; r < nproc; r++) {
                ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(rankArgs(args, r, nproc, port, device, perRank)));
                builder.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(perRank));
                builder.inheritIO();
                ranks.add(builder.start());
            }
            return await(ranks);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start rank " + ranks.size() + " of " + nproc, e);
        } finally {
            // Cancelled, or a start failed: stopped ranks unwind at their next checkpoint.
            ranks.forEach(Process::destroy);
            ranks.forEach(ChildJvm::waitFor);
        }
    }

    private static int await(List<Process> ranks) {
        while (true) {
            Cancellation.checkpoint();
            for (int r = 0; r < ranks.size(); r++) {
                Process p = ranks.get(r);
                if (!p.isAlive() && p.exitValue() != 0) {
                    return failed(ranks, r, p.exitValue());
                }
            }
            if (ranks.stream().noneMatch(Process::isAlive)) {
                return 0;
            }
            ChildJvm.pause(POLL_MILLIS);
        }
    }

    private static int failed(List<Process> ranks, int rank, int code) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
        while (ranks.stream().anyMatch(Process::isAlive) && System.nanoTime() < deadline) {
            ChildJvm.pause(POLL_MILLIS);
        }
        System.err.println("rotquant: error: rank " + rank + "/" + ranks.size() + " ended with exit code " + code
                + "; the job stopped without an artifact");
        return code;
    }

    /** The arguments of rank {@code r}: the command's, less {@code --nproc}, plus its place in the job. */
    static List<String> rankArgs(List<String> args, int r, int nproc, int port, String device, int threads) {
        List<String> out = ChildJvm.without(args, REPLACED);
        // One GPU per rank: "cuda" means every card of the machine, rank r on card r.
        out.addAll(List.of("--device", device.equals("cuda") ? "cuda:" + r : device,
                "--threads", Integer.toString(threads), "--rank", Integer.toString(r),
                "--world-size", Integer.toString(nproc),
                "--master", InetAddress.getLoopbackAddress().getHostAddress() + ":" + port));
        return out;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new InvalidInputException("--nproc: no free port on the loopback interface for the ranks to meet: "
                    + e.getMessage());
        }
    }
}
