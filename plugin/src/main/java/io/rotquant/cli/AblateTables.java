package io.rotquant.cli;

import io.rotquant.compiler.zeroshot.Question;
import io.rotquant.compiler.zeroshot.TaskResult;
import io.rotquant.compiler.zeroshot.ZeroShotTask;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ablate}'s tables from its measured cells: per flag, each value's perplexity and zero-shot
 * average over the seeds with its paired gap to the flag's first value, then each task's accuracy
 * with its standard error; and the same figures as JSON rows.
 */
final class AblateTables {
    private final CompareResults results;
    private final Map<ZeroShotTask, List<Question>> questions;
    private final boolean fpRow;
    private final PrintStream out;

    /** {@code fpRow}: whether the table shows the FP row (measured, or held by the resume file). */
    AblateTables(CompareResults results, Map<ZeroShotTask, List<Question>> questions, boolean fpRow, PrintStream out) {
        this.results = results;
        this.questions = questions;
        this.fpRow = fpRow;
        this.out = out;
    }

    /**
     * Prints one flag's tables; {@code keysOfValue} gives each value's cells, one per seed in the
     * seeds' order. Returns the JSON table.
     */
    Map<String, Object> print(String flag, Map<String, List<String>> keysOfValue) {
        boolean zeroShot = !questions.isEmpty();
        List<String> values = List.copyOf(keysOfValue.keySet());
        // Each value's paired gap to the first value, seed by seed (with two values or more).
        String base = values.get(0);
        boolean gaps = values.size() > 1;
        List<String> header = new ArrayList<>(List.of(flag, "PPL"));
        if (gaps) {
            header.add("PPL − " + base + ", same seed");
        }
        if (zeroShot) {
            header.add("zero-shot average (" + String.join(", ", questions.keySet().stream().map(ZeroShotTask::id).toList())
                    + ")");
            if (gaps) {
                header.add("average − " + base + ", same seed");
            }
        }
        out.println(MarkdownTable.row(header));
        out.println(MarkdownTable.rule(header.size()));
        if (fpRow) {
            out.println(MarkdownTable.row(cells("FP", Spread.of(List.of(results.get("FP ppl"))), null, gaps,
                    zeroShot ? Spread.of(List.of(average("FP"))) : null, null)));
        }
        List<Double> basePpl = figures(keysOfValue.get(base), "ppl");
        List<Double> baseShots = averages(keysOfValue.get(base));
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            List<String> keys = keysOfValue.get(value);
            Spread ppl = Spread.of(figures(keys, "ppl"));
            Spread shots = Spread.of(averages(keys));
            Spread pplGap = i == 0 ? null : Spread.differences(ppl.values(), basePpl);
            Spread shotsGap = i == 0 ? null : Spread.differences(shots.values(), baseShots);
            out.println(MarkdownTable.row(cells(value, ppl, pplGap, gaps, zeroShot ? shots : null, shotsGap)));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("value", value);
            row.put("ppl", ppl.values());
            row.put("ppl_mean", ppl.mean());
            row.put("ppl_gap", pplGap == null ? null : pplGap.values());
            if (zeroShot) {
                row.put("zeroshot_average", shots.values());
                row.put("zeroshot_average_mean", shots.mean());
                row.put("zeroshot_average_gap", shotsGap == null ? null : shotsGap.values());
                Map<String, Object> perTask = new LinkedHashMap<>();
                questions.keySet().forEach(t -> perTask.put(t.id(), figures(keys, t.id())));
                row.put("zeroshot", perTask);
            }
            rows.add(row);
        }
        out.println();
        if (zeroShot) {
            printTaskTable(flag, keysOfValue);
        }
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("vary", flag);
        table.put("rows", rows);
        return table;
    }

    /**
     * A row's cells after its label: perplexity, its paired gap where the table has gaps, then the
     * zero-shot average and its gap when {@code shots} is given; a missing gap (the base's row, FP) is "—".
     */
    private static List<String> cells(String label, Spread ppl, Spread pplGap, boolean gaps, Spread shots,
            Spread shotsGap) {
        List<String> cells = new ArrayList<>(List.of(label));
        cells.add(ppl.format(4));
        if (gaps) {
            cells.add(pplGap == null ? "—" : pplGap.formatSigned(4));
        }
        if (shots != null) {
            cells.add(shots.format(3));
            if (gaps) {
                cells.add(shotsGap == null ? "—" : shotsGap.formatSigned(4));
            }
        }
        return cells;
    }

    /**
     * Each task's accuracy per value: the mean over the seeds, ± the task's standard error at that
     * mean, and the spread over the seeds (sd) when there are several.
     */
    private void printTaskTable(String flag, Map<String, List<String>> keysOfValue) {
        List<String> header = new ArrayList<>(List.of(flag));
        questions.forEach((task, items) -> header.add(task.id() + " (" + items.size() + ")"));
        out.println(MarkdownTable.row(header));
        out.println(MarkdownTable.rule(header.size()));
        if (fpRow) {
            out.println(taskRow("FP", List.of("FP")));
        }
        keysOfValue.forEach((value, keys) -> out.println(taskRow(value, keys)));
        out.println();
    }

    private String taskRow(String label, List<String> keys) {
        List<String> cells = new ArrayList<>(List.of(label));
        questions.forEach((task, items) -> {
            Spread accuracy = Spread.of(figures(keys, task.id()));
            String cell = String.format(Locale.ROOT, "%.4f ±%.4f", accuracy.mean(),
                    TaskResult.standardError(accuracy.mean(), items.size()));
            cells.add(keys.size() > 1 ? cell + String.format(Locale.ROOT, " (sd %.4f)", accuracy.deviation()) : cell);
        });
        return MarkdownTable.row(cells);
    }

    /** One figure ("ppl" or a task's id) of each cell in {@code keys}. */
    private List<Double> figures(List<String> keys, String figure) {
        return keys.stream().map(k -> results.get(k + " " + figure)).toList();
    }

    /** The zero-shot average of each cell in {@code keys}. */
    private List<Double> averages(List<String> keys) {
        return keys.stream().map(this::average).toList();
    }

    private double average(String cell) {
        return questions.keySet().stream().mapToDouble(t -> results.get(cell + " " + t.id())).average().orElse(Double.NaN);
    }
}
