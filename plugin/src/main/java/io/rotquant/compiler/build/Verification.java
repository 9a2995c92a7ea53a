package io.rotquant.compiler.build;

import static io.rotquant.compiler.recipe.RecipeParameter.EVAL_DATA;
import static io.rotquant.compiler.recipe.RecipeParameter.OUT;

import io.rotquant.compiler.InputText;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import io.rotquant.runtime.model.Perplexity;
import io.rotquant.runtime.model.RotQuantModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Checks a compiled artifact on the runtime that will run it: it loads, generates from a prompt,
 * and its perplexity on the compile's held-out windows (named by the compile report) is set against
 * the FP perplexity that the report measured on the same windows.
 */
public final class Verification {
    private Verification() {
    }

    /** The generated text, and the runtime's and the FP model's perplexity on the same windows. */
    public record Result(String text, double pplRuntime, double pplFp, int windows) {
        /** Relative increase of the runtime's perplexity over FP (0.1 = 10 %). */
        public double increase() {
            return pplRuntime / pplFp - 1;
        }
    }

    public static Result run(Path artifact, Path report, String prompt, int maxTokens, int threads, Consumer<String> log)
            throws IOException {
        JsonObject compiled = readReport(report);
        Path data = Path.of(compiled.string("eval_data"));
        String text = InputText.read(data, "eval_data of " + report);
        int windows = (int) compiled.integer("eval_windows");
        if (!Files.isRegularFile(artifact)) {
            throw new InvalidInputException(OUT.named() + " " + artifact + ": file not found (run the compile goal first)");
        }
        try (RotQuantModel model = RotQuantModel.load(artifact, threads > 0 ? threads : Runtime.getRuntime().availableProcessors())) {
            log.accept(model.banner());
            String generated = model.newSession().generate().maxTokens(maxTokens).run(model.tokenizer().encode(prompt)).text();
            log.accept("generated: " + generated.replace('\n', ' '));
            long seqlen = compiled.integer("seqlen");
            int window = seqlen > 0 ? (int) seqlen : Math.min(2048, model.spec().maxPositions());
            Perplexity.Result ppl = Perplexity.evaluate(model, text, window, windows, w -> { });
            Result result = new Result(generated, ppl.ppl(), compiled.number("ppl_fp"), ppl.windows());
            log.accept(String.format(Locale.ROOT, "runtime ppl %.4f, FP %.4f (%+.2f %%) over %d windows of %s in %.1f s",
                    result.pplRuntime(), result.pplFp(), 100 * result.increase(), ppl.windows(), data, ppl.seconds()));
            return result;
        } catch (ArtifactException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    private static JsonObject readReport(Path report) throws IOException {
        try {
            JsonObject json = JsonObject.parse(report.toString(), Files.readString(report));
            if (json.raw("ppl_fp") == null) {
                throw new InvalidInputException(report + " has no FP perplexity: compile with " + EVAL_DATA.named() + " (rotquant.evalData)");
            }
            return json;
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(report + ": no compile report (run the compile goal with " + EVAL_DATA.named() + " first)");
        } catch (JsonException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }
}
