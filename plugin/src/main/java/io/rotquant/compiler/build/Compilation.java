package io.rotquant.compiler.build;

import static io.rotquant.compiler.recipe.RecipeParameter.EVAL_DATA;
import static io.rotquant.compiler.recipe.RecipeParameter.EVAL_WINDOWS;
import static io.rotquant.compiler.recipe.RecipeParameter.HEAD_BITS;
import static io.rotquant.compiler.recipe.RecipeParameter.OUT;

import io.rotquant.compiler.InputText;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.artifact.ArtifactWriter;
import io.rotquant.compiler.checkpoint.InputDigests;
import io.rotquant.compiler.distributed.RankGroup;
import io.rotquant.compiler.eval.ActivationProfile;
import io.rotquant.compiler.eval.ActivationProfile.LayerProfile;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.eval.PerplexityResult;
import io.rotquant.compiler.quant.Bits;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RecipeParameter;
import io.rotquant.compiler.torch.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One compilation: the FP model evaluated on the held-out text (when given), the checkpoint prepared
 * by the recipe and evaluated on the same windows, the artifact written atomically, then the
 * report. The FP model is closed before the quantized one opens, so only one is held at a time.
 */
public final class Compilation {
    /** Activation width of the profile when the recipe leaves activations unquantized. */
    private static final int DEFAULT_PROFILE_BITS = 4;

    private Compilation() {
    }

    private record Measured(PerplexityResult ppl, List<LayerProfile> profile) {
    }

    /**
     * Compiles {@code request}; in a job of several ranks ({@link RankGroup}) every rank computes
     * its share and only rank 0 writes the artifact and the report and returns it (the others: null).
     */
    public static CompileReport run(CompileRequest request, Consumer<String> log) throws IOException {
        Recipe recipe = request.recipe();
        RankGroup ranks = RankGroup.current();
        Path out = request.out().toAbsolutePath();
        if (ranks.leader() && (out.getParent() == null || !Files.isDirectory(out.getParent()))) {
            throw new InvalidInputException(OUT.named() + " " + request.out() + ": directory " + out.getParent() + " does not exist");
        }
        if (request.headBits() != 4 && request.headBits() != 8 && request.headBits() != 16) {
            throw new InvalidInputException(HEAD_BITS.named() + " must be 4, 8 or 16, got " + request.headBits());
        }
        if (request.evalWindows() < 0) {
            throw new InvalidInputException(EVAL_WINDOWS.named() + " must be 0 (all) or positive, got " + request.evalWindows());
        }
        ArtifactWriter.checkRecipe(recipe);
        long start = System.nanoTime();
        Map<String, String> digests = ranks.leader() ? InputDigests.checkpoint(request.model()) : Map.of();
        String text = request.evalData() == null ? null : InputText.read(request.evalData(), EVAL_DATA.named());
        int profileBits = Bits.quantized(recipe.aBits()) ? recipe.aBits() : DEFAULT_PROFILE_BITS;

        Measured fp = null;
        if (text != null) {
            try (PreparedModel model = PreparedModel.open(request.model(), Recipe.FP, request.dtype(), log)) {
                fp = measure(model, recipe, text, request.evalWindows(), profileBits, "FP", log);
            }
        }
        Map<String, Double> phases;
        try (PreparedModel prepared = PreparedModel.open(request.model(), recipe, request.dtype(), log)) {
            phases = new LinkedHashMap<>(prepared.phaseSeconds());
            Measured quantized = null;
            long evalStart = System.nanoTime();
            if (text != null) {
                quantized = measure(prepared, recipe, text, request.evalWindows(), profileBits, recipe.label(), log);
                phases.put("evaluate", fp.ppl().seconds() + seconds(evalStart));
            }
            // Every rank's share is done before rank 0 publishes: a rank lost before this point leaves no artifact.
            ranks.barrier();
            if (!ranks.leader()) {
                log.accept(String.format(Locale.ROOT, "done in %.1f s; rank 0 writes the artifact", seconds(start)));
                return null;
            }
            // The recipe's files now: a rotations file may have been written by the learning above.
            for (Map.Entry<RecipeParameter, Path> file : recipe.inputFiles().entrySet()) {
                digests.put(file.getKey().jsonKey() + "/" + file.getValue().getFileName(),
                        InputDigests.sha256(file.getValue(), file.getKey().named()));
            }
            long writeStart = System.nanoTime();
            ArtifactWriter.write(prepared, out, digests, request.headBits());
            phases.put("write", seconds(writeStart));
            CompileReport.Evaluation evaluation = quantized == null ? null
                    : new CompileReport.Evaluation(request.evalData().toString(), quantized.ppl().windows(),
                            quantized.ppl().tokens(), fp.ppl().ppl(), quantized.ppl().ppl(), profileBits, fp.profile(),
                            quantized.profile());
            CompileReport report = new CompileReport(request.model(), recipe, out, Files.size(out),
                    InputDigests.sha256(out), seconds(start), phases, Torch.machine(), evaluation);
            log.accept(String.format(Locale.ROOT, "compiled %s in %.1f s: %.1f MB, sha256 %s%s", recipe.label(),
                    report.seconds(), report.bytes() / 1e6, report.sha256(), evaluation == null ? ""
                            : String.format(Locale.ROOT, "; ppl FP %.4f, quantized %.4f (%+.2f%%)", evaluation.pplFp(),
                                    evaluation.pplQuantized(), 100 * (evaluation.pplQuantized() / evaluation.pplFp() - 1))));
            if (request.reportDir() != null) {
                ReportWriter.write(report, request.reportDir());
            }
            return report;
        }
    }

    private static Measured measure(PreparedModel model, Recipe recipe, String text, int windows, int profileBits,
            String label, Consumer<String> log) {
        int window = recipe.windowLength(model.checkpoint().config());
        int[] tokens = model.tokenizer().encode(text);
        PerplexityResult ppl = Perplexity.evaluate(model.model(), tokens, window, windows, w -> { });
        log.accept(String.format(Locale.ROOT, "evaluated %s: ppl %.4f over %d windows of %d in %.1f s", label, ppl.ppl(),
                ppl.windows(), window, ppl.seconds()));
        long[] first = Arrays.stream(Arrays.copyOf(tokens, window)).asLongStream().toArray();
        return new Measured(ppl, ActivationProfile.measure(model.model(), first, profileBits));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
