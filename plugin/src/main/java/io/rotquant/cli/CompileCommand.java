package io.rotquant.cli;

import io.rotquant.compiler.recipe.RecipeDefaults;
import io.rotquant.compiler.InputText;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.build.Compilation;
import io.rotquant.compiler.build.CompileReport;
import io.rotquant.compiler.build.CompileRequest;
import io.rotquant.compiler.distributed.RankGroup;
import io.rotquant.compiler.distributed.RankSpec;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RecipeParameter;
import io.rotquant.compiler.recipe.RecipeValues;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rotquant compile}: prepares a checkpoint by a recipe and writes the artifact the runtime runs. */
@Command(name = "compile", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = CompileCommand.ArtifactDefaultValues.class,
        description = "Rotate and quantize a checkpoint, then write a rotquant artifact (and a report).")
public final class CompileCommand implements Callable<Integer> {
    /** The option that gives the recipe as JSON, in place of the recipe flags (how the Maven goal's fork receives it). */
    public static final String RECIPE = "--recipe";

    @Mixin
    ModelOptions options;

    @Option(names = RECIPE, paramLabel = "FILE", description = "The recipe as JSON (as an artifact's metadata records "
            + "it), in place of the recipe flags.")
    Path recipeFile;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Artifact to write (atomically).")
    Path out;

    @Option(names = "--eval-data", paramLabel = "FILE",
            description = "Held-out text: FP and quantized perplexity and the activation profiles, before writing.")
    Path evalData;

    @Option(names = "--eval-windows", defaultValue = RecipeDefaults.EVAL_WINDOWS, paramLabel = "N",
            description = "Windows of --eval-data to evaluate, 0 = all (default: ${DEFAULT-VALUE}).")
    int evalWindows;

    @Option(names = "--report", paramLabel = "DIR", description = "Write report.json and report.html into DIR.")
    Path report;

    @Option(names = "--head-bits", paramLabel = "B",
            description = "Embedding and LM head in the artifact: 16 (F16), 8 (int8 rows, one scale each; half the"
                    + " head's bytes per decoded token) or 4 (4-bit, a scale per 32 columns; under a third)"
                    + " (default: ${DEFAULT-VALUE}).")
    int headBits;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @Mixin
    RankOptions ranks;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (ranks.launches()) {
            return LocalRanks.run(spec.commandLine().getParseResult().originalArgs(), ranks.nproc, options.where.device,
                    options.where.threads);
        }
        RankSpec place = ranks.spec();
        String prefix = place.single() ? "" : place.label() + ": ";
        Consumer<String> log = line -> {
            if (!quiet) {
                System.err.println(prefix + line);
            }
        };
        options.initTorch();
        try (RankGroup group = RankGroup.join(place, Torch.card() != null, log)) {
            CompileRequest request = new CompileRequest(options.model, recipe(), options.computeType(), out,
                    evalData, evalWindows, report, headBits);
            CompileReport result;
            try {
                result = Compilation.run(request, log);
            } catch (RuntimeException | IOException e) {
                // The other ranks' failed collectives then name this one.
                group.reportFailure(String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
                if (e instanceof InvalidInputException bad && !place.single()) {
                    throw new InvalidInputException(prefix + bad.getMessage(), bad);
                }
                throw e;
            }
            if (result == null) {
                return 0;
            }
            System.out.printf(Locale.ROOT, "wrote %s (%s, %.1f MB) in %.1f s%n", out, result.recipe().label(),
                    result.bytes() / 1e6, result.seconds());
            if (json) {
                java.util.Map<String, Object> out = new java.util.LinkedHashMap<>(result.toJson());
                out.put("peak_rss_bytes", PeakMemory.residentBytes());
                System.out.println(JsonWriter.write(out));
            }
            return 0;
        }
    }

    /** The recipe of the flags, or of {@code --recipe}'s JSON, which no recipe flag may accompany. */
    private Recipe recipe() {
        if (recipeFile == null) {
            return options.recipe();
        }
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (RecipeParameter p : RecipeParameter.values()) {
            if (p.jsonKey() != null && parsed.hasMatchedOption(p.flag())) {
                throw new InvalidInputException(RECIPE + " " + recipeFile + " gives the whole recipe; " + p.named()
                        + " cannot be given beside it");
            }
        }
        return RecipeValues.fromJson(RECIPE + " " + recipeFile, InputText.read(recipeFile, RECIPE)).recipe();
    }

    /** An artifact's recipe defaults (the Maven goal's, from RecipeParameter), where eval and the tables start from FP. */
    static final class ArtifactDefaultValues implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            return arg instanceof OptionSpec option ? RecipeParameter.ofFlag(option.longestName())
                    .map(RecipeParameter::artifactDefault).orElse(null) : null;
        }
    }
}
