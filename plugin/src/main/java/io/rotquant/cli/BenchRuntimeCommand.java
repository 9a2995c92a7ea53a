package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.model.RotQuantModel;
import io.rotquant.runtime.model.Session;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rotquant bench-runtime}: prefill and batch-1 decode throughput of an artifact on the
 * pure-Java runtime, what forking a prefilled session costs instead of the prefill, and the memory-bandwidth bound of decode (weight bytes per token against the
 * machine's measured copy bandwidth). Token ids are {@code new SplittableRandom(seed).nextInt(vocab)}
 * in order, so another engine can be fed the same sequence.
 */
@Command(name = "bench-runtime", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prefill and batch-1 decode tokens/s of an artifact on the runtime (median after warm-up),"
                + " and the memory-bandwidth bound of decode.")
final class BenchRuntimeCommand implements Callable<Integer> {
    private static final int COPY_BYTES = 256 << 20;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--prefill", defaultValue = "512", paramLabel = "N", description = "Prefill length (default: ${DEFAULT-VALUE}).")
    int prefill;

    @Option(names = "--contexts", split = ",", defaultValue = "128,2048", paramLabel = "C",
            description = "Context lengths at which decode is timed (default: ${DEFAULT-VALUE}).")
    List<Integer> contexts;

    @Option(names = "--decode-tokens", defaultValue = "16", paramLabel = "N",
            description = "Tokens decoded per timed run, ending at the context length (default: ${DEFAULT-VALUE}).")
    int decodeTokens;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "N", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed of the token ids (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() {
        if (warmup < 0 || repeat < 1 || prefill < 1 || decodeTokens < 1) {
            throw new InvalidInputException("--warmup must be >= 0; --repeat, --prefill and --decode-tokens >= 1");
        }
        long loadStart = System.nanoTime();
        try (RotQuantModel model = runtime.load()) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            // The first token after load, cold: what an application waits for before anything warms up.
            long firstStart = System.nanoTime();
            model.newSession().next(0);
            double firstSeconds = (System.nanoTime() - firstStart) / 1e9;
            System.out.printf(Locale.ROOT, "load %.2f s (%s), then the first token in %.2f s%n", loadSeconds,
                    runtime.trusted ? "data checksum skipped" : "data checksum checked", firstSeconds);
            System.err.println(model.banner());
            int context = model.spec().maxPositions();
            for (int c : contexts) {
                if (c <= decodeTokens || c > context) {
                    throw new InvalidInputException("--contexts " + c + " must exceed --decode-tokens (" + decodeTokens
                            + ") and fit the artifact's context (" + context + ")");
                }
            }
            if (prefill > context) {
                throw new InvalidInputException("--prefill " + prefill + " exceeds the artifact's context (" + context + ")");
            }
            int[] ids = new SplittableRandom(seed).ints(context, 0, model.spec().vocabSize()).toArray();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("load_seconds", loadSeconds);
            out.put("first_token_seconds", firstSeconds);
            Timings pre = time(() -> {
                Session s = model.newSession();
                long start = System.nanoTime();
                s.forward(ids, 0, prefill, false, (i, l) -> { });
                return (System.nanoTime() - start) / 1e9;
            });
            report(out, "prefill_" + prefill, prefill, pre);
            // What a fork of a session holding the prefill (a shared system prompt) costs instead of it.
            Session prefilled = model.newSession();
            prefilled.append(ids, 0, prefill);
            Timings fork = time(() -> {
                long start = System.nanoTime();
                prefilled.fork();
                return (System.nanoTime() - start) / 1e9;
            });
            report(out, "fork_at_" + prefill, prefill, fork);
            for (int c : contexts) {
                Timings decode = time(() -> {
                    Session s = model.newSession();
                    s.forward(ids, 0, c - decodeTokens, false, (i, l) -> { });
                    long start = System.nanoTime();
                    for (int t = c - decodeTokens; t < c; t++) {
                        s.next(ids[t]);
                    }
                    return (System.nanoTime() - start) / 1e9;
                });
                report(out, "decode_at_" + c, decodeTokens, decode);
            }
            double bandwidth = copyBandwidth();
            long bytes = model.weightBytesPerToken();
            long packed = model.artifactWeightBytesPerToken();
            System.out.printf(Locale.ROOT, "copy bandwidth %.2f GB/s (read + write, %d MiB arrays, median of 5);"
                    + " weights read per decoded token %.1f MB as held (%.1f MB as stored in the artifact):"
                    + " decode bound %.1f tokens/s as held, %.1f as stored%n", bandwidth / 1e9, COPY_BYTES >> 20, bytes / 1e6,
                    packed / 1e6, bandwidth / bytes, bandwidth / packed);
            if (json) {
                out.put("copy_bandwidth_bytes_per_second", bandwidth);
                out.put("weight_bytes_per_token", bytes);
                out.put("artifact_weight_bytes_per_token", packed);
                out.put("threads", model.threads());
                System.out.println(JsonWriter.write(out));
            }
        }
        return 0;
    }

    @FunctionalInterface
    private interface Run {
        double seconds();
    }

    private Timings time(Run run) {
        double[] seconds = new double[repeat];
        for (int i = -warmup; i < repeat; i++) {
            double s = run.seconds();
            if (i >= 0) {
                seconds[i] = s;
            }
        }
        return Timings.of(seconds);
    }

    private static void report(Map<String, Object> out, String name, int tokens, Timings t) {
        System.out.printf(Locale.ROOT, "%s: %.2f tokens/s (median of %d: %.3g s for %d tokens; min %.3g, max %.3g)%n", name,
                tokens / t.median(), t.runs(), t.median(), tokens, t.min(), t.max());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tokens", tokens);
        m.put("median_seconds", t.median());
        m.put("min_seconds", t.min());
        m.put("max_seconds", t.max());
        m.put("tokens_per_second", tokens / t.median());
        out.put(name, m);
    }

    /** STREAM-style copy: bytes read plus bytes written per second, median of five copies of a large array. */
    private static double copyBandwidth() {
        byte[] from = new byte[COPY_BYTES];
        byte[] to = new byte[COPY_BYTES];
        java.util.Arrays.fill(from, (byte) 1);
        double[] seconds = new double[5];
        for (int i = -1; i < seconds.length; i++) {
            long start = System.nanoTime();
            System.arraycopy(from, 0, to, 0, COPY_BYTES);
            if (i >= 0) {
                seconds[i] = (System.nanoTime() - start) / 1e9;
            }
        }
        return 2.0 * COPY_BYTES / Timings.of(seconds).median();
    }
}
