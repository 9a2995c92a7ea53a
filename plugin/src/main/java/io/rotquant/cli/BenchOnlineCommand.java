package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.rotation.HadamardTables;
import io.rotquant.compiler.rotation.HadamardTransform;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.model.VectorRotation;
import java.util.ArrayList;
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
 * {@code rotquant bench-online}: the runtime's own online-rotation kernels, the Walsh–Hadamard
 * transform against a dense matmul of the same matrix, per size and token count, on the calling
 * thread as the runtime applies them (one token vector after another). The hardware-aware choice of
 * DuaRot rests on where the matmul stops being cheaper.
 */
@Command(name = "bench-online", mixinStandardHelpOptions = true,
        description = "Runtime online-rotation kernels, WHT against dense matmul, per size and token count: median"
                + " over repeats after warm-up, and the crossover size.")
final class BenchOnlineCommand implements Callable<Integer> {
    /** Below this a timed run repeats its tokens, so that the clock's resolution does not matter. */
    private static final double MIN_RUN_SECONDS = 2e-2;
    /** Above this many bytes of token vectors, a run times a prefix of the tokens (marked, scaled up). */
    private static final long MAX_ACTIVATION_BYTES = 64L << 20;
    private static final double JIT_WARM_UP_SECONDS = 0.3;

    @Option(names = "--sizes", split = ",", paramLabel = "N", description = "Rotation sizes: powers of two or K·2^m"
            + " with a known Hadamard factor K (default: 2^6..2^14 and the K·2^m sizes of common models).",
            defaultValue = "64,128,256,512,1024,2048,4096,8192,16384,172,1376,3072,5632,11008,14336")
    List<Integer> sizes;

    @Option(names = "--tokens", split = ",", paramLabel = "T", defaultValue = "1,256,4096",
            description = "Token counts (default: ${DEFAULT-VALUE}).")
    List<Integer> tokens;

    @Mixin
    RepeatOptions runs;

    @Option(names = "--budget", defaultValue = "0.2", paramLabel = "SECONDS",
            description = "Longest timed run; longer cases time a prefix of the tokens and scale (default: ${DEFAULT-VALUE}).")
    double budget;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() {
        runs.check();
        if (budget <= 0) {
            throw new InvalidInputException("--budget must be > 0, got " + budget);
        }
        for (int t : tokens) {
            if (t < 1) {
                throw new InvalidInputException("--tokens: " + t + " is not a positive token count");
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.println("| n | tokens | WHT | matmul | matmul / WHT |");
        System.out.println("|---|---|---|---|---|");
        for (int n : sizes) {
            HadamardTransform shape = HadamardTransform.ofSize(n, "--sizes");
            byte[] table = shape.factor() == 1 ? null : HadamardTables.bytes(shape.factor());
            VectorRotation wht = VectorRotation.walshHadamard(n, table);
            VectorRotation matmul = VectorRotation.dense(n, explicitMatrix(n, shape.factor(), table));
            for (int t : tokens) {
                Measured w = measure(wht, t);
                Measured m = measure(matmul, t);
                System.out.printf(Locale.ROOT, "| %d%s | %d | %s | %s | %.2f |%n", n,
                        shape.factor() > 1 ? " (K=" + shape.factor() + ")" : "", t, w.label(), m.label(), m.seconds() / w.seconds());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("size", n);
                row.put("factor", shape.factor());
                row.put("tokens", t);
                row.put("wht_seconds", w.seconds());
                row.put("matmul_seconds", m.seconds());
                row.put("wht_tokens_timed", w.timedTokens());
                row.put("matmul_tokens_timed", m.timedTokens());
                rows.add(row);
            }
        }
        Map<Integer, Integer> crossover = new LinkedHashMap<>();
        for (int t : tokens) {
            crossover.put(t, crossover(rows, t));
            System.out.printf(Locale.ROOT, "%d token(s): largest power of two where the matmul is no slower than the WHT: %d%n", t,
                    crossover.get(t));
        }
        System.out.println("(* the timed runs covered a prefix of the tokens, scaled to the full count; one thread,"
                + " median of " + runs.repeat + " runs after " + runs.warmup + " warm-up)");
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rows", rows);
            Map<String, Object> cross = new LinkedHashMap<>();
            crossover.forEach((t, n) -> cross.put(String.valueOf(t), n));
            out.put("crossover", cross);
            out.put("repeat", runs.repeat);
            out.put("warmup", runs.warmup);
            System.out.println(JsonWriter.write(out));
        }
        return 0;
    }

    /** Time for {@code tokens} token vectors and how many were actually timed. */
    private record Measured(double seconds, int timedTokens, int tokens) {
        String label() {
            return String.format(Locale.ROOT, "%s%s", human(seconds), timedTokens < tokens ? "*" : "");
        }

        private static String human(double s) {
            return s >= 1 ? String.format(Locale.ROOT, "%.2f s", s) : s >= 1e-3 ? String.format(Locale.ROOT, "%.2f ms", s * 1e3)
                    : String.format(Locale.ROOT, "%.2f µs", s * 1e6);
        }
    }

    private Measured measure(VectorRotation rotation, int count) {
        int n = rotation.size();
        int timed = (int) Math.max(1, Math.min(count, MAX_ACTIVATION_BYTES / (4L * n)));
        SplittableRandom random = new SplittableRandom(n);
        float[] x = new float[timed * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        // Compile the kernel before estimating its cost: the first calls run in the interpreter.
        long warmUpEnd = System.nanoTime() + (long) (JIT_WARM_UP_SECONDS * 1e9);
        for (int calls = 0; calls < 20_000 && System.nanoTime() < warmUpEnd; calls++) {
            rotation.apply(x, 0);
        }
        double perToken = secondsPerToken(rotation, x, Math.min(timed, 8), 1);
        timed = (int) Math.max(1, Math.min(timed, budget / perToken));
        int reps = (int) Math.max(1, Math.ceil(MIN_RUN_SECONDS / (perToken * timed)));
        double[] seconds = new double[runs.repeat];
        for (int run = -runs.warmup; run < runs.repeat; run++) {
            double s = secondsPerToken(rotation, x, timed, reps);
            if (run >= 0) {
                seconds[run] = s;
            }
        }
        return new Measured(Timings.of(seconds).median() * count, timed, count);
    }

    private static double secondsPerToken(VectorRotation rotation, float[] x, int tokens, int reps) {
        int n = rotation.size();
        long start = System.nanoTime();
        for (int r = 0; r < reps; r++) {
            for (int t = 0; t < tokens; t++) {
                rotation.apply(x, t * n);
            }
        }
        return (System.nanoTime() - start) / 1e9 / ((double) reps * tokens);
    }

    /**
     * The largest power-of-two size at which the matmul is no slower than the WHT at {@code tokens}
     * (0 if none). The matmul's n² against the WHT's n·log n makes the ratio grow with n, so above it
     * the WHT wins; below it, microsecond timings are noisy and the two trade places.
     */
    private static int crossover(List<Map<String, Object>> rows, int tokens) {
        return rows.stream().filter(r -> (int) r.get("tokens") == tokens && Integer.bitCount((int) r.get("size")) == 1
                && (double) r.get("matmul_seconds") <= (double) r.get("wht_seconds"))
                .mapToInt(r -> (int) r.get("size")).max().orElse(0);
    }

    /** (had_K ⊗ H_m)/√n written out: the matmul computes exactly what the WHT does. */
    private static float[] explicitMatrix(int n, int k, byte[] table) {
        int m = n / k;
        float scale = (float) (1.0 / Math.sqrt(n));
        float[] matrix = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int sign = (Integer.bitCount((i % m) & (j % m)) & 1) == 0 ? 1 : -1;
                matrix[i * n + j] = (table == null ? 1 : table[(i / m) * k + j / m]) * sign * scale;
            }
        }
        return matrix;
    }
}
