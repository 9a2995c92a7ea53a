package io.rotquant.cli;

import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.model.Generation;
import io.rotquant.runtime.model.RotQuantModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rotquant run}: generates text from a prompt on the runtime, streaming tokens to stdout. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text from an artifact on the runtime.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt (BOS is added as the tokenizer does).")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "128", paramLabel = "N", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Sample among the K most likely tokens, 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--min-p", defaultValue = "0", paramLabel = "P", description = "Drop tokens less likely than P × the most likely (default: ${DEFAULT-VALUE}).")
    double minP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0", paramLabel = "R",
            description = "Penalty on tokens already in the prompt or output, 1 = none (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output contains TEXT (repeatable).")
    java.util.List<String> stop = new java.util.ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() {
        check(maxTokens >= 1, "--max-tokens " + maxTokens + ": must be positive");
        check(temperature >= 0, "--temperature " + temperature + ": must be >= 0");
        check(topP > 0 && topP <= 1, "--top-p " + topP + ": must be in (0, 1]");
        check(topK >= 0, "--top-k " + topK + ": must be >= 0");
        check(minP >= 0 && minP <= 1, "--min-p " + minP + ": must be in [0, 1]");
        check(repetitionPenalty >= 1, "--repetition-penalty " + repetitionPenalty + ": must be >= 1");
        check(stop.stream().noneMatch(String::isEmpty), "--stop: a stop string must not be empty");
        try (RotQuantModel model = runtime.load()) {
            System.err.println(model.banner());
            int[] ids = model.tokenizer().encode(prompt);
            long start = System.nanoTime();
            Generation.Result result;
            try {
                result = model.newSession().generate().maxTokens(maxTokens).temperature(temperature)
                        .topP(topP).topK(topK).minP(minP).repetitionPenalty(repetitionPenalty)
                        .stopStrings(stop.toArray(String[]::new)).seed(seed).onToken((token, piece) -> {
                            System.out.print(piece);
                            System.out.flush();
                        }).run(ids);
            } catch (IllegalArgumentException e) {
                throw new io.rotquant.compiler.InvalidInputException("--prompt: " + e.getMessage(), e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println();
            System.err.printf(Locale.ROOT, "%d tokens in %.2f s (%.1f tokens/s, prompt of %d included), finished by %s%n",
                    result.tokens().length, seconds, result.tokens().length / seconds, ids.length,
                    result.finishReason().name().toLowerCase(Locale.ROOT));
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("text", result.text());
                out.put("tokens", result.tokens().length);
                out.put("finish_reason", result.finishReason().name().toLowerCase(Locale.ROOT));
                out.put("seconds", seconds);
                System.out.println(JsonWriter.write(out));
            }
        }
        return 0;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new io.rotquant.compiler.InvalidInputException(message);
        }
    }
}
