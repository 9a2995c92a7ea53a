package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.eval.PerplexityResult;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.Torch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rotquant eval}: perplexity of a checkpoint (optionally rotated) on a text file. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Perplexity of a model on a text: non-overlapping windows, exp(mean next-token NLL).")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model directory.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Text file, evaluated as one text.")
    Path data;

    @Option(names = "--rotation", defaultValue = "none", paramLabel = "KIND",
            description = "none|identity|hadamard|orthogonal (default: ${DEFAULT-VALUE}).")
    String rotation;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dtype", defaultValue = "fp32", description = "fp32|bf16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--seqlen", defaultValue = "0", paramLabel = "N",
            description = "Window length (default: min(2048, the model's context)).")
    int seqlen;

    @Option(names = "--windows", defaultValue = "0", paramLabel = "N", description = "Evaluate only the first N windows.")
    int windows;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Compute threads (default: all cores).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu|cuda|auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @Override
    public Integer call() {
        RotationKind kind = RotationKind.parse(rotation);
        ComputeDType computeType = ComputeDType.parse(dtype);
        if (windows < 0) {
            throw new InvalidInputException("--windows must be positive, got " + windows);
        }
        Torch.init(DeviceChoice.parse(device), threads, computeType.scalarType());
        String text = readText(data);
        PrintStream log = quiet ? new PrintStream(PrintStream.nullOutputStream()) : System.err;

        long start = System.nanoTime();
        try (PreparedModel prepared = PreparedModel.open(model, kind, seed, computeType)) {
            ModelConfig c = prepared.checkpoint().config();
            int window = seqlen > 0 ? seqlen : Math.min(2048, c.maxPositions());
            log.printf(Locale.ROOT, "model %s: %s, %d layers, d=%d, %d/%d heads, vocab %d%n", model, c.modelType(),
                    c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.vocabSize());
            log.printf(Locale.ROOT, "loaded (rotation %s, seed %d, %s on %s, %d threads) in %.1f s%n", kind.label(), seed,
                    computeType.label(), Torch.deviceName(), Torch.threads(), seconds(start));

            long tokenizeStart = System.nanoTime();
            int[] tokens = prepared.tokenizer().encode(text);
            int total = windows > 0 ? Math.min(windows, Perplexity.availableWindows(tokens.length, window))
                    : Perplexity.availableWindows(tokens.length, window);
            log.printf(Locale.ROOT, "tokenized %s: %d tokens, %d windows of %d in %.1f s%n", data, tokens.length, total,
                    window, seconds(tokenizeStart));

            long evalStart = System.nanoTime();
            int every = Math.max(1, total / 10);
            PerplexityResult result = Perplexity.evaluate(prepared.model(), tokens, window, windows, w -> {
                if ((w + 1) % every == 0 || w + 1 == total) {
                    double elapsed = seconds(evalStart);
                    log.printf(Locale.ROOT, "  window %d/%d, %.1f s, ETA %.0f s%n", w + 1, total, elapsed,
                            elapsed / (w + 1) * (total - w - 1));
                }
            });
            System.out.printf(Locale.ROOT, "ppl %.4f over %d windows (%d predicted tokens) in %.1f s, %.0f tokens/s%n",
                    result.ppl(), result.windows(), result.tokens(), result.seconds(), result.tokensPerSecond());
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("ppl", result.ppl());
                out.put("windows", result.windows());
                out.put("tokens", result.tokens());
                out.put("seconds", result.seconds());
                out.put("tokens_per_second", result.tokensPerSecond());
                out.put("seqlen", window);
                out.put("rotation", kind.label());
                out.put("seed", seed);
                out.put("dtype", computeType.label());
                out.put("device", Torch.deviceName());
                out.put("threads", Torch.threads());
                out.put("model", model.toString());
                out.put("data", data.toString());
                System.out.println(JsonLine.of(out));
            }
        }
        return 0;
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("--data " + file + ": file not found");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidInputException("--data " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new InvalidInputException("--data " + file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
