package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.eval.PerplexityResult;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RecipeParameter;
import io.rotquant.compiler.zeroshot.Question;
import io.rotquant.compiler.zeroshot.TaskResult;
import io.rotquant.compiler.zeroshot.ZeroShotEvaluator;
import io.rotquant.compiler.zeroshot.ZeroShotTask;
import io.rotquant.runtime.json.JsonWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rotquant ablate}: one recipe with one or more of its flags each taking several values (one
 * table per flag), every value prepared once per seed and measured by perplexity and, with
 * {@code --data-dir}, by the zero-shot average of the chosen tasks, so that a cell trains once for
 * both figures. Cells are keyed by the whole recipe they prepare: a value that equals the base
 * recipe in several tables is measured once. Rows give the mean ± sample standard deviation over
 * the seeds and every seed's figure.
 */
@Command(name = "ablate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Perplexity and zero-shot average of one recipe as its flags take several values, "
                + "over seeds, as markdown tables.")
final class AblateCommand implements Callable<Integer> {
    /** One table: a recipe setting (any but the seed, which varies with --seeds) and its values. */
    private record Axis(RecipeParameter parameter, List<String> values) {
        static Axis parse(String vary) {
            int equals = vary.indexOf('=');
            if (equals <= 0 || equals == vary.length() - 1) {
                throw new InvalidInputException("--vary: '" + vary + "' is not of the form FLAG=V1,V2 (e.g. local-block=32,64)");
            }
            String flag = vary.substring(0, equals);
            RecipeParameter parameter = RecipeParameter.ofFlag("--" + flag)
                    .filter(p -> p.jsonKey() != null && p != RecipeParameter.SEED)
                    .orElseThrow(() -> new InvalidInputException("--vary: '" + flag + "' is not a recipe flag that can "
                            + "vary (the seed varies with --seeds)"));
            return new Axis(parameter, List.of(vary.substring(equals + 1).split(",")));
        }

        String flag() {
            return parameter.flag();
        }
    }

    /** One place in a table: a flag's value at a seed. */
    private record Position(String flag, String value, long seed) {
        String label() {
            return flag + "=" + value + " seed " + seed;
        }

        /** The arguments that make an ablate of just this place. */
        List<String> args() {
            return List.of("--vary", flag.substring(2) + "=" + value, "--seeds", Long.toString(seed));
        }
    }

    @Mixin
    ModelOptions options;

    @Mixin
    TextOptions text;

    @Option(names = "--vary", required = true, paramLabel = "FLAG=V[,V...]",
            description = "A recipe flag to vary and its values, e.g. local-block=32,64,128,256 (the first is the base of the "
                    + "paired gaps); repeat for more tables.")
    List<String> vary;

    @Option(names = "--seeds", split = ",", defaultValue = "0", paramLabel = "S",
            description = "Seeds; each value is prepared once per seed (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Zero-shot data (as for zeroshot); without it only perplexity is measured.")
    Path dataDir;

    @Option(names = "--tasks", split = ",", paramLabel = "LIST", defaultValue = "hellaswag,lambada,arc_easy",
            description = "Zero-shot tasks averaged (default: ${DEFAULT-VALUE}, those that carry signal on the testbed).")
    List<String> tasks;

    @Option(names = "--limit", defaultValue = "200", paramLabel = "N",
            description = "First N questions per zero-shot task (default: ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    SkipFpOption fpOption;

    @Mixin
    TableOptions output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        output.check(options);
        List<Axis> axes = vary.stream().map(Axis::parse).toList();
        // Every recipe first, so that a bad value fails before hours of work; equal recipes are one cell.
        Map<String, Recipe> cells = new LinkedHashMap<>();
        Map<Position, String> cellOf = new LinkedHashMap<>();
        for (Axis axis : axes) {
            for (String value : axis.values()) {
                for (long seed : seeds) {
                    Recipe recipe = options.values().set(axis.parameter(), value).set(RecipeParameter.SEED, seed).recipe();
                    String key = JsonWriter.write(recipe.toJson());
                    cells.put(key, recipe);
                    cellOf.put(new Position(axis.flag(), value, seed), key);
                }
            }
        }
        Map<ZeroShotTask, List<Question>> questions = new LinkedHashMap<>();
        if (dataDir != null) {
            tasks.stream().map(ZeroShotTask::parse).forEach(task -> questions.put(task, task.load(dataDir, limit)));
        }

        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("model", options.model.toString());
        protocol.put("data", text.data.toString());
        protocol.put("windows", text.windows);
        protocol.put("tasks", dataDir == null ? List.of() : tasks);
        protocol.put("limit", limit);
        CompareResults results = output.results(options, protocol);

        String content = text.read();
        PrintStream log = System.err;
        if (output.jobs > 1) {
            int code = measureInProcesses(cellOf, results, questions, log);
            if (code != 0) {
                return code;
            }
        }
        int[] tokens;
        try (PreparedModel fp = options.open(Recipe.FP, log::println)) {
            tokens = fp.tokenizer().encode(content);
            if (!fpOption.skipFp) {
                measure(results, "FP", "FP", fp, tokens, questions, log);
            }
        }
        for (Map.Entry<String, Recipe> cell : cells.entrySet()) {
            if (!measured(results, cell.getKey(), questions)) {
                try (PreparedModel prepared = options.open(output.keeping(options.model, cell.getValue()), log::println)) {
                    measure(results, cell.getKey(), cell.getValue().label(), prepared, tokens, questions, log);
                }
            }
        }

        // The FP row is left out with --skip-fp unless the resume file holds it.
        AblateTables tables = new AblateTables(results, questions, measured(results, "FP", questions), System.out);
        List<Object> printed = new ArrayList<>();
        for (Axis axis : axes) {
            Map<String, List<String>> keysOfValue = new LinkedHashMap<>();
            axis.values().forEach(value -> keysOfValue.put(value,
                    seeds.stream().map(s -> cellOf.get(new Position(axis.flag(), value, s))).toList()));
            printed.add(tables.print(axis.flag(), keysOfValue));
        }
        if (output.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("seeds", seeds);
            out.put("fp_ppl", results.has("FP ppl") ? results.get("FP ppl") : null);
            out.put("tables", printed);
            System.out.println(JsonWriter.write(out));
        }
        return 0;
    }

    /**
     * {@code --jobs}: every cell not yet in the table measured by a process of its own (the first
     * flag, value and seed that make the cell, the rest of this command's arguments), {@code jobs} at once.
     */
    private int measureInProcesses(Map<Position, String> cellOf, CompareResults results,
            Map<ZeroShotTask, List<Question>> questions, PrintStream log) {
        CellJobs.gather(output.resume, results);
        boolean fpMissing = !measured(results, "FP", questions);
        List<String> common = ChildJvm.without(spec.commandLine().getParseResult().originalArgs(),
                java.util.Set.of("--jobs", "--resume", "--vary", "--seeds"));
        Map<String, Position> firstPosition = new LinkedHashMap<>();
        cellOf.forEach((at, key) -> firstPosition.putIfAbsent(key, at));
        List<CellJobs.Job> pending = new ArrayList<>();
        for (Map.Entry<String, Position> cell : firstPosition.entrySet()) {
            String key = cell.getKey();
            if (!measured(results, key, questions)) {
                Position at = cell.getValue();
                List<String> args = new ArrayList<>(common);
                args.addAll(at.args());
                args.addAll(CellJobs.fpArgs(fpOption.skipFp, fpMissing, pending.isEmpty()));
                pending.add(new CellJobs.Job(key, at.label(), args));
            }
        }
        return pending.isEmpty() ? 0 : CellJobs.run("ablate", pending, output.jobs, output.resume, results, log);
    }

    private static boolean measured(CompareResults results, String cell, Map<ZeroShotTask, List<Question>> questions) {
        return results.has(cell + " ppl") && questions.keySet().stream().allMatch(t -> results.has(cell + " " + t.id()));
    }

    /** Perplexity, then each zero-shot task, of one prepared model; each figure is kept as it is made. */
    private void measure(CompareResults results, String cell, String label, PreparedModel prepared, int[] tokens,
            Map<ZeroShotTask, List<Question>> questions, PrintStream log) {
        if (!results.has(cell + " ppl")) {
            PerplexityResult ppl = Perplexity.evaluate(prepared.model(), tokens,
                    options.windowLength(prepared.checkpoint().config()), text.windows, w -> { });
            log.printf(Locale.ROOT, "%s: ppl %.4f over %d windows in %.1f s%n", label, ppl.ppl(), ppl.windows(), ppl.seconds());
            results.put(cell + " ppl", ppl.ppl());
        }
        List<Map.Entry<ZeroShotTask, List<Question>>> pending = questions.entrySet().stream()
                .filter(task -> !results.has(cell + " " + task.getKey().id())).toList();
        if (pending.isEmpty()) {
            return;
        }
        // Expanded once for all questions (only when some are left: it costs a full-precision copy).
        prepared.weights().dequantizeLayers();
        ZeroShotEvaluator evaluator = new ZeroShotEvaluator(prepared.model(), prepared.tokenizer());
        for (Map.Entry<ZeroShotTask, List<Question>> task : pending) {
            TaskResult r = evaluator.evaluate(task.getKey(), task.getValue());
            log.printf(Locale.ROOT, "%s: %s %.4f over %d questions in %.1f s%n", label, r.task(), r.headline(), r.count(),
                    r.seconds());
            results.put(cell + " " + task.getKey().id(), r.headline());
        }
    }
}
