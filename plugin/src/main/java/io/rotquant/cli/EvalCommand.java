package io.rotquant.cli;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.eval.PerplexityResult;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.json.JsonWriter;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rotquant eval}: perplexity of a checkpoint prepared by a recipe (rotated, fake-quantized)
 * on a text file; with a quantizing recipe also the FP perplexity of the same windows.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Perplexity of a model on a text: non-overlapping windows, exp(mean next-token NLL).")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions options;

    @Mixin
    TextOptions text;

    @Mixin
    SkipFpOption fpOption;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    private PrintStream log;

    @Override
    public Integer call() {
        Recipe recipe = options.recipe();
        String content = text.read();
        log = quiet ? new PrintStream(PrintStream.nullOutputStream()) : System.err;

        Map<String, Object> out = new LinkedHashMap<>();
        PerplexityResult fp = null;
        if (recipe.quantizesAnything() && !fpOption.skipFp) {
            fp = evaluate(Recipe.FP, content, new LinkedHashMap<>());
        }
        Map<String, Double> phases = new LinkedHashMap<>();
        PerplexityResult result = evaluate(recipe, content, phases);
        if (fp != null) {
            System.out.printf(Locale.ROOT, "FP ppl %.4f, %s ppl %.4f (%+.2f%%)%n", fp.ppl(), recipe.label(), result.ppl(),
                    100 * (result.ppl() / fp.ppl() - 1));
        }
        if (json) {
            out.put("ppl", result.ppl());
            if (fp != null) {
                out.put("ppl_fp", fp.ppl());
            }
            out.put("windows", result.windows());
            out.put("tokens", result.tokens());
            out.put("seconds", result.seconds());
            out.put("tokens_per_second", result.tokensPerSecond());
            phases.forEach((phase, seconds) -> out.put("prepare_" + phase.replaceAll("[^a-z0-9]+", "_") + "_seconds", seconds));
            out.putAll(recipe.toJson());
            out.put("dtype", options.computeType().effective().label());
            out.put("device", Torch.deviceName());
            out.put("threads", Torch.threads());
            out.put("model", options.model.toString());
            out.put("data", text.data.toString());
            System.out.println(JsonWriter.write(out));
        }
        return 0;
    }

    /** Prepares the model for {@code recipe}, records its phase times into {@code phases}, evaluates. */
    private PerplexityResult evaluate(Recipe recipe, String content, Map<String, Double> phases) {
        long start = System.nanoTime();
        try (PreparedModel prepared = options.open(recipe, line -> log.println(line))) {
            phases.putAll(prepared.phaseSeconds());
            ModelConfig c = prepared.checkpoint().config();
            int window = options.windowLength(c);
            log.printf(Locale.ROOT, "model %s: %s, %d layers, d=%d, %d/%d heads, vocab %d; %s, %s on %s, %d threads, "
                    + "ready in %.1f s%n", options.model, c.modelType(), c.numLayers(), c.hiddenSize(), c.numHeads(),
                    c.numKvHeads(), c.vocabSize(), recipe.label(), options.computeType().effective().label(), Torch.deviceName(),
                    Torch.threads(), seconds(start));

            long tokenizeStart = System.nanoTime();
            int[] tokens = prepared.tokenizer().encode(content);
            int available = Perplexity.availableWindows(tokens.length, window);
            int total = text.windows > 0 ? Math.min(text.windows, available) : available;
            log.printf(Locale.ROOT, "tokenized %s: %d tokens, %d windows of %d in %.1f s%n", text.data, tokens.length, total,
                    window, seconds(tokenizeStart));

            long evalStart = System.nanoTime();
            int every = Math.max(1, total / 10);
            PerplexityResult result = Perplexity.evaluate(prepared.model(), tokens, window, text.windows, w -> {
                if ((w + 1) % every == 0 || w + 1 == total) {
                    double elapsed = seconds(evalStart);
                    log.printf(Locale.ROOT, "  window %d/%d, %.1f s, ETA %.0f s%n", w + 1, total, elapsed,
                            elapsed / (w + 1) * (total - w - 1));
                }
            });
            System.out.printf(Locale.ROOT, "%s: ppl %.4f over %d windows (%d predicted tokens) in %.1f s, %.0f tokens/s%n",
                    recipe.label(), result.ppl(), result.windows(), result.tokens(), result.seconds(),
                    result.tokensPerSecond());
            return result;
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
