package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.eval.PerplexityResult;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RotationInit;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.json.JsonWriter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rotquant compare}: the methods-by-bit-widths perplexity table. Each method's weights are
 * prepared once (rotation + RTN or GPTQ) and evaluated under every activation/KV setting, which is
 * valid because weight quantization never sees quantized activations; SpinQuant and DuaRot train
 * for each setting's quantizers, so their rows are prepared once per column (DFRot's refinement uses
 * its own fixed 4-bit quantizer and is shared by all columns).
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Perplexity of several methods at several WxAyKVz settings, as a markdown table.")
final class CompareCommand implements Callable<Integer> {
    private static final Pattern SETTING = Pattern.compile("W(\\d+)A(\\d+)KV(\\d+)");

    /** A table row: rotation and weight method, and the start of DuaRot's R_G when the row fixes it. */
    record Method(String label, RotationKind rotation, WeightMethod weights, RotationInit init) {
        Method(String label, RotationKind rotation, WeightMethod weights) {
            this(label, rotation, weights, null);
        }

        Recipe apply(Recipe base, int weightBits) {
            Recipe recipe = base.withRotation(rotation, base.seed()).withWeights(weightBits, weights, base.wGroup(),
                    base.wClip());
            return init == null ? recipe : recipe.withTraining(recipe.training().withInit(init));
        }

        static Method parse(String name) {
            return switch (name) {
                case "rtn" -> new Method("RTN (no rotation)", RotationKind.NONE, WeightMethod.RTN);
                case "gptq" -> new Method("GPTQ (no rotation)", RotationKind.NONE, WeightMethod.GPTQ);
                case "quarot-rtn" -> new Method("QuaRot-RTN (randomized Hadamard)", RotationKind.HADAMARD, WeightMethod.RTN);
                case "quarot-orthogonal-rtn" -> new Method("QuaRot-RTN (random orthogonal)", RotationKind.ORTHOGONAL,
                        WeightMethod.RTN);
                case "quarot-gptq" -> new Method("QuaRot-GPTQ (randomized Hadamard)", RotationKind.HADAMARD,
                        WeightMethod.GPTQ);
                case "quarot-orthogonal-gptq" -> new Method("QuaRot-GPTQ (random orthogonal)", RotationKind.ORTHOGONAL,
                        WeightMethod.GPTQ);
                case "spinquant-rtn" -> new Method("SpinQuant-RTN", RotationKind.SPINQUANT, WeightMethod.RTN);
                case "spinquant-gptq" -> new Method("SpinQuant-GPTQ", RotationKind.SPINQUANT, WeightMethod.GPTQ);
                case "duarot-rtn" -> new Method("DuaRot-RTN", RotationKind.DUAROT, WeightMethod.RTN);
                case "duarot-gptq" -> new Method("DuaRot-GPTQ", RotationKind.DUAROT, WeightMethod.GPTQ);
                case "duarot-dfrot-rtn" -> new Method("DuaRot-RTN from DFRot's R1", RotationKind.DUAROT, WeightMethod.RTN,
                        RotationInit.DFROT);
                case "duarot-dfrot-gptq" -> new Method("DuaRot-GPTQ from DFRot's R1", RotationKind.DUAROT,
                        WeightMethod.GPTQ, RotationInit.DFROT);
                case "dfrot-rtn" -> new Method("DFRot-RTN", RotationKind.DFROT, WeightMethod.RTN);
                case "dfrot-gptq" -> new Method("DFRot-GPTQ", RotationKind.DFROT, WeightMethod.GPTQ);
                default -> throw new InvalidInputException("--methods: unknown method '" + name + "' (rtn, gptq, "
                        + "quarot-rtn, quarot-orthogonal-rtn, quarot-gptq, quarot-orthogonal-gptq, spinquant-rtn, "
                        + "spinquant-gptq, duarot-rtn, duarot-gptq, duarot-dfrot-rtn, duarot-dfrot-gptq, dfrot-rtn, dfrot-gptq)");
            };
        }
    }

    @Mixin
    ModelOptions options;

    @Mixin
    TextOptions text;

    @Option(names = "--methods", split = ",", paramLabel = "M",
            defaultValue = "rtn,gptq,quarot-rtn,quarot-orthogonal-rtn,quarot-gptq",
            description = "Rows (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--settings", split = ",", paramLabel = "WxAyKVz", defaultValue = "W4A16KV16,W4A4KV4,W4A4KV16,W4A8KV4",
            description = "Columns, all with the same weight bits (default: ${DEFAULT-VALUE}).")
    List<String> settings;

    @Mixin
    SkipFpOption fpOption;

    @Mixin
    TableOptions output;

    /**
     * A child of {@code --jobs}: the cells it measures ({@code METHOD}, every column of that row, or
     * {@code METHOD@SETTING}). The child keeps the whole table's rows and columns, so that its file
     * records the same protocol, and prints no table.
     */
    @Option(names = "--only", hidden = true, split = ",", paramLabel = "JOB")
    Set<String> only;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        output.check(options);
        if (only != null) {
            for (String job : only) {
                String[] at = job.split("@", 2);
                if (!methods.contains(at[0]) || at.length == 2 && !settings.contains(at[1])) {
                    throw new InvalidInputException("--only: '" + job + "' is not a row (--methods) or a row@column "
                            + "(--settings) of this table");
                }
            }
        }
        List<int[]> columns = settings.stream().map(CompareCommand::setting).toList();
        int weightBits = columns.get(0)[0];
        if (columns.stream().anyMatch(c -> c[0] != weightBits)) {
            throw new InvalidInputException("--settings: every column needs the same weight bits");
        }
        List<Method> rows = methods.stream().map(Method::parse).toList();
        String content = text.read();
        PrintStream log = System.err;
        Recipe base = options.recipe();

        Map<String, Object> protocol = new LinkedHashMap<>(base.toJson());
        protocol.keySet().removeAll(List.of("recipe", "rotation", "w_method", "a_bits", "kv_bits"));
        protocol.put("model", options.model.toString());
        protocol.put("data", text.data.toString());
        protocol.put("windows", text.windows);
        if (rows.stream().anyMatch(row -> row.rotation().learned())) {
            // Learned rows depend on how they train; tables of fixed rotations keep their old protocol.
            Map<String, Object> training = new LinkedHashMap<>(base.withRotation(RotationKind.SPINQUANT, base.seed()).toJson());
            training.keySet().removeAll(base.toJson().keySet());
            protocol.put("training", training);
        }
        CompareResults results = output.results(options, protocol);
        if (output.jobs > 1) {
            int code = measureInProcesses(rows, results);
            if (code != 0) {
                return code;
            }
        }
        // Every method shares the checkpoint's tokenizer: tokenize the text once.
        int[] tokens;
        try (PreparedModel prepared = options.open(Recipe.FP, log::println)) {
            tokens = prepared.tokenizer().encode(content);
            if (!results.has("FP") && !fpOption.skipFp) {
                results.put("FP", evaluate(prepared, prepared.model(), tokens, log));
            }
        }
        // Left out with --skip-fp unless the resume file holds it.
        Double fp = results.has("FP") ? results.get("FP") : null;
        List<String> table = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("Method"));
        header.addAll(settings);
        table.add(MarkdownTable.row(header));
        table.add(MarkdownTable.rule(header.size()));
        if (fp != null) {
            List<String> cells = new ArrayList<>(List.of("FP"));
            cells.addAll(Collections.nCopies(settings.size(), format(fp)));
            table.add(MarkdownTable.row(cells));
        }
        for (int r = 0; r < rows.size(); r++) {
            Method row = rows.get(r);
            String name = methods.get(r);
            Recipe recipe = row.apply(base, weightBits);
            List<String> keys = settings.stream().map(s -> key(row, s)).toList();
            if (row.rotation().trainedForQuantizers()) {
                // Trained for the setting's quantizers: one preparation per column.
                for (int i = 0; i < columns.size(); i++) {
                    int[] c = columns.get(i);
                    if (!results.has(keys.get(i)) && wanted(name, settings.get(i))) {
                        try (PreparedModel prepared = options.open(output.keeping(options.model, recipe.withActivations(c[1],
                                base.aClip(), c[2], base.kvClip())), log::println)) {
                            record(results, keys.get(i), evaluate(prepared, prepared.model(), tokens, log), log);
                        }
                    }
                }
            } else if (!keys.stream().allMatch(results::has) && wanted(name, null)) {
                try (PreparedModel prepared = options.open(output.keeping(options.model, recipe), log::println)) {
                    for (int i = 0; i < columns.size(); i++) {
                        int[] c = columns.get(i);
                        if (!results.has(keys.get(i))) {
                            record(results, keys.get(i), evaluate(prepared, prepared.withActivations(c[1], base.aClip(),
                                    c[2], base.kvClip()), tokens, log), log);
                        }
                    }
                }
            }
            if (only != null) {
                continue;
            }
            List<String> cells = new ArrayList<>(List.of(row.label()));
            keys.forEach(k -> cells.add(format(results.get(k))));
            table.add(MarkdownTable.row(cells));
        }
        if (only != null) {
            return 0;
        }
        table.forEach(System.out::println);
        if (output.json) {
            Map<String, Object> cells = new LinkedHashMap<>();
            cells.put("FP", fp);
            rows.forEach(row -> settings.forEach(s -> cells.put(key(row, s), results.get(key(row, s)))));
            System.out.println(JsonWriter.write(cells));
        }
        return 0;
    }

    /** The cell of {@code row} at {@code setting}: its name in the table's file and its JSON. */
    private static String key(Method row, String setting) {
        return row.label() + " " + setting;
    }

    /** Whether this process measures the cell of {@code method} at {@code setting} (null: the row's every column). */
    private boolean wanted(String method, String setting) {
        return only == null || only.contains(method) || setting != null && only.contains(method + "@" + setting);
    }

    /**
     * {@code --jobs}: every pending row of fixed rotations (its weights prepared once for all
     * columns) and every pending cell of a trained row measured by a process of its own, {@code jobs}
     * at once; the rows and columns the children share are this command's.
     */
    private int measureInProcesses(List<Method> rows, CompareResults results) {
        CellJobs.gather(output.resume, results);
        boolean fpMissing = !results.has("FP");
        List<String> common = ChildJvm.without(spec.commandLine().getParseResult().originalArgs(),
                Set.of("--jobs", "--resume"));
        List<String> names = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            Method row = rows.get(r);
            List<String> pending = settings.stream().filter(s -> !results.has(key(row, s))).toList();
            if (row.rotation().trainedForQuantizers()) {
                String method = methods.get(r);
                pending.forEach(s -> names.add(method + "@" + s));
            } else if (!pending.isEmpty()) {
                names.add(methods.get(r));
            }
        }
        List<CellJobs.Job> jobs = new ArrayList<>();
        for (String name : names) {
            List<String> args = new ArrayList<>(common);
            args.addAll(List.of("--only", name));
            args.addAll(CellJobs.fpArgs(fpOption.skipFp, fpMissing, jobs.isEmpty()));
            jobs.add(new CellJobs.Job(name, name, args));
        }
        return jobs.isEmpty() ? 0 : CellJobs.run("compare", jobs, output.jobs, output.resume, results, System.err);
    }

    private static void record(CompareResults results, String key, double ppl, PrintStream log) {
        log.printf(Locale.ROOT, "%s: ppl %.4f%n", key, ppl);
        results.put(key, ppl);
    }

    /** PPL of {@code model} (one configuration of {@code prepared}'s weights) on the first windows of the text. */
    private double evaluate(PreparedModel prepared, LlamaModel model, int[] tokens, PrintStream log) {
        int window = options.windowLength(prepared.checkpoint().config());
        PerplexityResult result = Perplexity.evaluate(model, tokens, window, text.windows, w -> { });
        log.printf(Locale.ROOT, "  %d windows in %.1f s%n", result.windows(), result.seconds());
        return result.ppl();
    }

    private static int[] setting(String label) {
        Matcher m = SETTING.matcher(label);
        if (!m.matches()) {
            throw new InvalidInputException("--settings: '" + label + "' is not of the form W4A4KV4");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    private static String format(double ppl) {
        return Double.isFinite(ppl) ? String.format(Locale.ROOT, "%.2f", ppl) : "inf/NaN";
    }
}
