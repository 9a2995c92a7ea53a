package io.rotquant.cli;

import io.rotquant.compiler.Cancellation;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A table's pending cells measured by child JVMs of this one, one job each (a cell, or the cells
 * that share one preparation), up to {@code width} at once on the same device, for a GPU that one
 * small cell leaves partly idle. Each child measures its job into its own resume file in a folder
 * beside the table's file (its name plus {@code .cells}, named by the job, its output in a
 * {@code .log} there), and the figures are added to the table as each child ends, so a stopped run
 * resumes with what finished.
 */
final class CellJobs {
    private static final long POLL_MILLIS = 500;

    /** One child's work: a key that names it, a label for the log, the arguments that make a child measure it. */
    record Job(String key, String label, List<String> args) {
    }

    private record Running(Job job, Process process, Path results, Path log, long start) {
    }

    private CellJobs() {
    }

    /** The folder of the children's files for a table kept in {@code resume}. */
    static Path folder(Path resume) {
        return resume.resolveSibling(resume.getFileName() + ".cells");
    }

    /** Adds to {@code table} what earlier children left in the folder (a run stopped before it gathered them). */
    static void gather(Path resume, CompareResults table) {
        Path folder = folder(resume);
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (var files = Files.list(folder)) {
            files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".json")).sorted()
                    .forEach(f -> table.addMissing(table.sibling(f)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + folder, e);
        }
    }

    /**
     * What a job's arguments add so that the table's FP row is measured once: the first job measures
     * it when it is wanted and missing, every other job skips it (a command given {@code --skip-fp}
     * passes that on with the rest of its arguments).
     */
    static List<String> fpArgs(boolean skipFp, boolean fpMissing, boolean first) {
        return skipFp || fpMissing && first ? List.of() : List.of("--skip-fp");
    }

    /**
     * Measures {@code jobs} in children, {@code width} at a time, adding their figures to
     * {@code table}; {@code command} heads the log lines. Returns 0, or the exit code of the first
     * child that failed (after the others finished; no new child starts once one has failed), having
     * said which in one line.
     */
    static int run(String command, List<Job> jobs, int width, Path resume, CompareResults table, PrintStream log) {
        Path folder = folder(resume);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + folder, e);
        }
        Deque<Job> pending = new ArrayDeque<>(jobs);
        Map<Job, Running> running = new LinkedHashMap<>();
        long start = System.nanoTime();
        int done = 0;
        int failure = 0;
        log.printf(Locale.ROOT, "%s: %d jobs in child processes, %d at once (their files in %s)%n", command,
                jobs.size(), width, folder);
        try {
            while (!pending.isEmpty() || !running.isEmpty()) {
                Cancellation.checkpoint();
                while (failure == 0 && running.size() < width && !pending.isEmpty()) {
                    Job job = pending.poll();
                    running.put(job, start(job, folder));
                }
                for (Running r : List.copyOf(running.values())) {
                    if (r.process().isAlive()) {
                        continue;
                    }
                    running.remove(r.job());
                    int code = r.process().exitValue();
                    if (Files.isRegularFile(r.results())) {
                        // What a failed child finished is kept too: a rerun resumes from it.
                        table.addMissing(table.sibling(r.results()));
                    }
                    double seconds = (System.nanoTime() - r.start()) / 1e9;
                    if (code != 0) {
                        log.printf(Locale.ROOT, "%s: job %s ended with exit code %d after %.1f s (its log: %s)%n",
                                command, r.job().label(), code, seconds, r.log());
                        failure = failure == 0 ? code : failure;
                        continue;
                    }
                    done++;
                    double perJob = (System.nanoTime() - start) / 1e9 / done;
                    log.printf(Locale.ROOT, "%s: job %d/%d done in %.1f s: %s (%d running, ETA %.0f s)%n", command, done,
                            jobs.size(), seconds, r.job().label(), running.size(),
                            perJob * (pending.size() + running.size()));
                }
                ChildJvm.pause(POLL_MILLIS);
            }
        } finally {
            running.values().forEach(r -> r.process().destroy());
            running.values().forEach(r -> ChildJvm.waitFor(r.process()));
        }
        if (failure != 0) {
            System.err.println("rotquant: error: a job's process failed (exit code " + failure + "); the finished cells are"
                    + " kept in " + resume + ", and a rerun measures the rest");
            return failure;
        }
        log.printf(Locale.ROOT, "%s: %d jobs in %.1f s%n", command, jobs.size(), (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static Running start(Job job, Path folder) {
        String name = digest(job.key());
        Path results = folder.resolve(name + ".json");
        Path log = folder.resolve(name + ".log");
        List<String> args = new ArrayList<>(job.args());
        args.addAll(List.of("--resume", results.toString()));
        try {
            Process process = new ProcessBuilder(ChildJvm.command(args)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new Running(job, process, results, log, System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the process of job " + job.label(), e);
        }
    }

    /** A file name for a cell or job: the first 16 hex digits of its key's SHA-256. */
    static String digest(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
