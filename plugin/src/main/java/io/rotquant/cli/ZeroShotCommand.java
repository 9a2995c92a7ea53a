package io.rotquant.cli;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.zeroshot.Question;
import io.rotquant.compiler.zeroshot.TaskResult;
import io.rotquant.compiler.zeroshot.ZeroShotEvaluator;
import io.rotquant.compiler.zeroshot.ZeroShotTask;
import io.rotquant.runtime.json.JsonWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rotquant zeroshot}: accuracy on the papers' zero-shot tasks, FP or under a recipe. */
@Command(name = "zeroshot", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Zero-shot accuracy (lm-evaluation-harness scoring: acc, acc_norm) of a model prepared by a recipe.")
final class ZeroShotCommand implements Callable<Integer> {
    @Mixin
    ModelOptions options;

    @Option(names = "--tasks", split = ",", paramLabel = "LIST",
            defaultValue = "piqa,arc_easy,arc_challenge,hellaswag,winogrande,boolq,lambada",
            description = "Tasks (default: ${DEFAULT-VALUE}).")
    List<String> tasks;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Directory with llm-foundry-eval/*.jsonl and hellaswag/hellaswag_val_full.txt.bz2.")
    Path dataDir;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "First N questions per task (default: all).")
    int limit;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() {
        List<ZeroShotTask> selected = tasks.stream().map(ZeroShotTask::parse).toList();
        Map<ZeroShotTask, List<Question>> questions = new LinkedHashMap<>();
        selected.forEach(task -> questions.put(task, task.load(dataDir, limit)));
        Recipe recipe = options.recipe();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recipe", recipe.label());
        List<Double> headlines = new ArrayList<>();
        try (PreparedModel prepared = options.open(recipe, System.err::println)) {
            prepared.weights().dequantizeLayers();
            ZeroShotEvaluator evaluator = new ZeroShotEvaluator(prepared.model(), prepared.tokenizer());
            System.out.printf(Locale.ROOT, "| task | n | acc | acc_norm | stderr |%n|---|---|---|---|---|%n");
            for (Map.Entry<ZeroShotTask, List<Question>> entry : questions.entrySet()) {
                TaskResult r = evaluator.evaluate(entry.getKey(), entry.getValue());
                System.err.printf(Locale.ROOT, "%s: %d questions in %.1f s%n", r.task(), r.count(), r.seconds());
                System.out.printf(Locale.ROOT, "| %s | %d | %.4f | %s | %.4f |%n", r.task(), r.count(), r.acc(),
                        r.reportsAccNorm() ? String.format(Locale.ROOT, "%.4f", r.accNorm()) : "–",
                        r.headlineStandardError());
                out.put(r.task() + "_acc", r.acc());
                if (r.reportsAccNorm()) {
                    out.put(r.task() + "_acc_norm", r.accNorm());
                }
                out.put(r.task() + "_n", r.count());
                out.put(r.task() + "_stderr", r.headlineStandardError());
                headlines.add(r.headline());
            }
        }
        double average = headlines.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "average (acc_norm where the task has it, else acc): %.4f%n", average);
        out.put("average", average);
        if (json) {
            System.out.println(JsonWriter.write(out));
        }
        return 0;
    }
}
