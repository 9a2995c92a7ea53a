package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.pipeline.PhaseTimes;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.json.JsonWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rotquant bench}: throughput of the compiler's forward pass (warm-up, repeats, median). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Forward-pass throughput of a model on LibTorch: median over repeats after warm-up.")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions options;

    @Mixin
    RepeatOptions runs;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Option(names = "--quiet", description = "No progress lines from the compile on stderr.")
    boolean quiet;

    @Override
    public Integer call() {
        runs.check();
        Recipe recipe = options.recipe();
        long compileStart = System.nanoTime();
        // A GPTQ compile of 1B shapes runs for an hour: its per-layer lines show that it moves.
        try (PreparedModel prepared = options.open(recipe, quiet ? line -> { } : System.err::println)) {
            double compileSeconds = (System.nanoTime() - compileStart) / 1e9;
            System.out.printf(Locale.ROOT, "compile (%s): %.1f s [%s]%n", recipe.label(), compileSeconds,
                    PhaseTimes.summary(prepared.phaseSeconds()));
            int length = options.windowLength(prepared.checkpoint().config());
            ComputeDType computeType = options.computeType().effective();
            SplittableRandom random = new SplittableRandom(0);
            long[] ids = random.longs(length, 0, prepared.checkpoint().config().vocabSize()).toArray();
            double[] seconds = new double[runs.repeat];
            for (int run = -runs.warmup; run < runs.repeat; run++) {
                long start = System.nanoTime();
                try (PointerScope scope = new PointerScope()) {
                    prepared.model().logits(Tensors.longs(ids, 1, length)
                            .to(prepared.model().device(), org.bytedeco.pytorch.global.torch.ScalarType.Long))
                            .sum().item_double();
                }
                if (run >= 0) {
                    seconds[run] = (System.nanoTime() - start) / 1e9;
                }
            }
            Timings t = Timings.of(seconds);
            double median = t.median();
            System.out.printf(Locale.ROOT, "forward of %d tokens: median %.3f s (min %.3f, max %.3f, %d runs), %.0f tokens/s"
                    + " [%s, %s, %s, %d threads]%n", length, median, t.min(), t.max(),
                    runs.repeat, length / median, computeType.label(), recipe.label(), Torch.deviceName(), Torch.threads());
            long peakRss = PeakMemory.residentBytes();
            System.out.printf(Locale.ROOT, "peak resident memory: %.2f GB%n", peakRss / 1e9);
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("compile_seconds", compileSeconds);
                out.put("compile_phases", prepared.phaseSeconds());
                out.put("peak_rss_bytes", peakRss);
                out.put("tokens", length);
                out.put("median_seconds", median);
                out.put("min_seconds", t.min());
                out.put("max_seconds", t.max());
                out.put("repeat", runs.repeat);
                out.put("tokens_per_second", length / median);
                out.put("recipe", recipe.label());
                out.put("dtype", computeType.label());
                out.put("device", Torch.deviceName());
                out.put("threads", Torch.threads());
                System.out.println(JsonWriter.write(out));
            }
        }
        return 0;
    }
}
