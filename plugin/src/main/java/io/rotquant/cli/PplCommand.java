package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.model.Perplexity;
import io.rotquant.runtime.model.RotQuantModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rotquant ppl}: perplexity of an artifact on the pure-Java runtime (same protocol as eval). */
@Command(name = "ppl", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Perplexity of an artifact on the runtime's integer kernels.")
final class PplCommand implements Callable<Integer> {
    @Mixin
    RuntimeOptions runtime;

    @Mixin
    TextOptions text;

    @Option(names = "--seqlen", defaultValue = "0", paramLabel = "N", description = "Window length (default: the context, at most 2048).")
    int seqlen;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() {
        String content = text.read();
        try (RotQuantModel model = runtime.load()) {
            System.err.println(model.banner());
            int window = seqlen > 0 ? seqlen : Math.min(2048, model.spec().maxPositions());
            RuntimeOptions.checkWindow(window, model);
            long start = System.nanoTime();
            Perplexity.Result r;
            try {
                r = Perplexity.evaluate(model, content, window, text.windows, w -> System.err.printf(
                        Locale.ROOT, "  window %d, %.1f s%n", w + 1, (System.nanoTime() - start) / 1e9));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--data " + text.data + ": " + e.getMessage(), e);
            }
            System.out.printf(Locale.ROOT, "runtime ppl %.4f over %d windows (%d predicted tokens) in %.1f s, %.0f tokens/s%n",
                    r.ppl(), r.windows(), r.tokens(), r.seconds(), r.tokensPerSecond());
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("ppl", r.ppl());
                out.put("windows", r.windows());
                out.put("tokens", r.tokens());
                out.put("seconds", r.seconds());
                out.put("tokens_per_second", r.tokensPerSecond());
                out.put("threads", model.threads());
                System.out.println(JsonWriter.write(out));
            }
        }
        return 0;
    }
}
