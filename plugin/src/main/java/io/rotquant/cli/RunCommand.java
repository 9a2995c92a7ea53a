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

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() {
        sampling.check();
        try (RotQuantModel model = runtime.load()) {
            System.err.println(model.banner());
            int[] ids = model.tokenizer().encode(prompt);
            long start = System.nanoTime();
            Generation.Result result;
            try {
                result = sampling.printing(model.newSession().generate()).run(ids);
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
}
