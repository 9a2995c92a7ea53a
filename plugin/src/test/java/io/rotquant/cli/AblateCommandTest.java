package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.json.Json;
import io.rotquant.runtime.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ablate subcommand: each (value, seed) is the recipe with that flag, resumable, one-line errors. */
class AblateCommandTest {

    private static List<String> base(Path zeroShot) {
        return new ArrayList<>(List.of("ablate", "--model", TestPaths.stories260K().toString(), "--data",
                TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString(), "--seqlen", "256", "--windows",
                "2", "--rotation", "hadamard", "--w-bits", "4", "--w-method", "rtn", "--a-bits", "4", "--kv-bits", "8",
                "--data-dir", zeroShot.toString(), "--tasks", "piqa,lambada", "--json"));
    }

    private static Path zeroShotData(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("llm-foundry-eval"));
        Files.writeString(dir.resolve("llm-foundry-eval/piqa.jsonl"),
                "{\"query\": \"Question: Once upon a time, there was a little girl named\\n\", "
                        + "\"choices\": [\"Lily.\", \"Zqxv.\"], \"gold\": 0}\n"
                        + "{\"query\": \"Question: The sun was\\n\", \"choices\": [\"hot.\", \"purple.\"], \"gold\": 1}\n");
        Files.writeString(dir.resolve("llm-foundry-eval/lambada_openai.jsonl"),
                "{\"context\": \"Once upon a time, there was a little girl named\", \"continuation\": \"Lily\"}\n"
                        + "{\"context\": \"She liked to play with her\", \"continuation\": \"toys\"}\n");
        return dir;
    }

    private static double evalPpl(String... recipe) {
        List<String> args = new ArrayList<>(List.of("eval", "--model", TestPaths.stories260K().toString(), "--data",
                TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString(), "--seqlen", "256", "--windows",
                "2", "--rotation", "hadamard", "--w-bits", "4", "--w-method", "rtn", "--a-bits", "4", "--kv-bits", "8",
                "--json", "--quiet", "--skip-fp"));
        args.addAll(List.of(recipe));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        return JsonObject.parse("stdout", run.lastLine()).number("ppl");
    }

    private static double number(Object json) {
        return ((Number) json).doubleValue();
    }

    @Test
    void eachCellIsTheRecipeWithThatValueAndSeedMeasuredOnceAndResumed(@TempDir Path dir) throws IOException {
        List<String> args = base(zeroShotData(dir.resolve("zeroshot")));
        args.addAll(List.of("--vary", "a-clip=1.0,0.8", "--vary", "kv-clip=0.9,1.0", "--seeds", "0,1", "--resume",
                dir.resolve("cells.json").toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> rows = run.out().lines().filter(l -> l.startsWith("| ")).toList();
        // Per flag: perplexity and the average (header, FP, two values), then each task's accuracy.
        assertThat(rows).hasSize(16);
        assertThat(rows.get(0)).isEqualTo("| --a-clip | PPL | PPL − 1.0, same seed | zero-shot average (piqa, lambada)"
                + " | average − 1.0, same seed |");
        assertThat(rows.get(2)).startsWith("| 1.0 | ").contains(" ± ").endsWith(" | — |");
        assertThat(rows.get(4)).isEqualTo("| --a-clip | piqa (2) | lambada (2) |");
        assertThat(rows.get(8)).isEqualTo("| --kv-clip | PPL | PPL − 0.9, same seed | zero-shot average (piqa, lambada)"
                + " | average − 0.9, same seed |");
        // a-clip 1.0 and kv-clip 1.0 are both the base recipe: three recipes × two seeds, and FP.
        assertThat(run.err().lines().filter(l -> l.contains(": ppl ")).count()).as(run.err()).isEqualTo(7);

        JsonObject json = JsonObject.parse("stdout", run.lastLine());
        JsonObject aClip = json.element("tables", json.array("tables").get(0));
        JsonObject kvClip = json.element("tables", json.array("tables").get(1));
        List<Object> clip10 = aClip.element("rows", aClip.array("rows").get(0)).array("ppl");
        List<Object> clip08 = aClip.element("rows", aClip.array("rows").get(1)).array("ppl");
        // The cell is exactly what eval gives for the same recipe flags.
        assertThat(((Number) clip10.get(0)).doubleValue()).isEqualTo(evalPpl("--a-clip", "1.0", "--seed", "0"));
        assertThat(((Number) clip08.get(1)).doubleValue()).isEqualTo(evalPpl("--a-clip", "0.8", "--seed", "1"));
        assertThat(clip10.get(0)).as("the seed changes the rotation").isNotEqualTo(clip10.get(1));
        assertThat(clip10.get(0)).as("the flag changes the recipe").isNotEqualTo(clip08.get(0));
        assertThat(kvClip.element("rows", kvClip.array("rows").get(1)).array("ppl")).isEqualTo(clip10);
        assertThat(aClip.element("rows", aClip.array("rows").get(0)).array("zeroshot_average")).hasSize(2);
        // The paired gap: each seed's figure less the first value's at that seed.
        List<Double> gaps = List.of(number(clip08.get(0)) - number(clip10.get(0)), number(clip08.get(1)) - number(clip10.get(1)));
        assertThat(aClip.element("rows", aClip.array("rows").get(1)).array("ppl_gap")).isEqualTo(List.<Object>copyOf(gaps));
        assertThat(aClip.element("rows", aClip.array("rows").get(0)).raw("ppl_gap")).as("the base row has none").isNull();
        assertThat(rows.get(3).split(" \\| ")[2]).isEqualTo(String.format(java.util.Locale.ROOT, "%+.4f ± %.4f (%+.4f, %+.4f)",
                (gaps.get(0) + gaps.get(1)) / 2, Math.abs(gaps.get(0) - gaps.get(1)) / Math.sqrt(2), gaps.get(0), gaps.get(1)));
        // Each task's cell: the seeds' mean, ± √(p(1−p)/(n−1)) at that mean over its 2 questions, their spread.
        JsonObject perTask = aClip.element("rows", aClip.array("rows").get(1)).object("zeroshot");
        StringBuilder expected = new StringBuilder("| 0.8 |");
        for (String task : new String[] {"piqa", "lambada"}) {
            double a = ((Number) perTask.array(task).get(0)).doubleValue();
            double b = ((Number) perTask.array(task).get(1)).doubleValue();
            double mean = (a + b) / 2;
            expected.append(String.format(java.util.Locale.ROOT, " %.4f ±%.4f (sd %.4f) |", mean,
                    Math.sqrt(mean * (1 - mean)), Math.abs(a - b) / Math.sqrt(2)));
        }
        assertThat(rows.get(7)).isEqualTo(expected.toString());

        CliRun again = CliRun.of(args.toArray(String[]::new));
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).as("every cell comes from the file").doesNotContain(": ppl ").doesNotContain("questions in");
        assertThat(again.out()).isEqualTo(run.out());
    }

    @Test
    void skipFpLeavesTheFpRowToTheResumeFile(@TempDir Path dir) throws IOException {
        List<String> args = base(zeroShotData(dir.resolve("zeroshot")));
        args.addAll(List.of("--vary", "a-clip=0.9", "--resume", dir.resolve("cells.json").toString()));
        List<String> skipping = new ArrayList<>(args);
        skipping.add("--skip-fp");

        CliRun cellOnly = CliRun.of(skipping.toArray(String[]::new));
        assertThat(cellOnly.exitCode()).as(cellOnly.err()).isZero();
        assertThat(cellOnly.err().lines().filter(l -> l.contains(": ppl ")).toList()).as(cellOnly.err()).hasSize(1)
                .noneMatch(l -> l.startsWith("FP: "));
        assertThat(cellOnly.out()).doesNotContain("| FP |");
        assertThat(JsonObject.parse("stdout", cellOnly.lastLine()).raw("fp_ppl")).isNull();

        CliRun withFp = CliRun.of(args.toArray(String[]::new));
        assertThat(withFp.exitCode()).as(withFp.err()).isZero();
        assertThat(withFp.err().lines().filter(l -> l.contains(": ppl ")).toList()).as("only FP is left to measure")
                .hasSize(1).allMatch(l -> l.startsWith("FP: "));
        double fp = JsonObject.parse("stdout", withFp.lastLine()).number("fp_ppl");

        CliRun resumed = CliRun.of(skipping.toArray(String[]::new));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).doesNotContain(": ppl ").doesNotContain("questions in");
        assertThat(resumed.out()).as("the file's FP row is shown").isEqualTo(withFp.out());
        assertThat(JsonObject.parse("stdout", resumed.lastLine()).number("fp_ppl")).isEqualTo(fp);
    }

    @Test
    void jobsMeasureEachCellInAProcessOfItsOwnAndGiveTheSameTable(@TempDir Path dir) throws IOException {
        List<String> args = base(zeroShotData(dir.resolve("zeroshot")));
        args.addAll(List.of("--vary", "a-clip=1.0,0.8", "--seeds", "0,1"));
        List<String> serial = new ArrayList<>(args);
        serial.addAll(List.of("--resume", dir.resolve("serial.json").toString()));
        List<String> jobs = new ArrayList<>(args);
        jobs.addAll(List.of("--jobs", "3", "--resume", dir.resolve("jobs.json").toString()));

        CliRun one = CliRun.of(serial.toArray(String[]::new));
        assertThat(one.exitCode()).as(one.err()).isZero();
        CliRun split = CliRun.of(jobs.toArray(String[]::new));
        assertThat(split.exitCode()).as(split.err()).isZero();
        assertThat(split.out()).as("every figure, FP's too, as one process measures it").isEqualTo(one.out());
        assertThat(split.err()).contains("ablate: 4 jobs in child processes, 3 at once").contains("ablate: job 4/4 done")
                .as("the parent measured nothing itself").doesNotContain(": ppl ");
        List<String> measured = new ArrayList<>();
        try (var files = Files.list(dir.resolve("jobs.json.cells"))) {
            for (Path f : files.toList()) {
                assertThat(f.getFileName().toString()).matches("[0-9a-f]{16}\\.(json|log)");
                if (f.toString().endsWith(".log")) {
                    Files.readAllLines(f).stream().filter(l -> l.contains(": ppl ")).forEach(measured::add);
                }
            }
        }
        assertThat(measured).as("one cell per process, and FP once").hasSize(5)
                .filteredOn(l -> l.startsWith("FP: ")).hasSize(1);

        CliRun again = CliRun.of(jobs.toArray(String[]::new));
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).doesNotContain("child processes").doesNotContain(": ppl ");
        assertThat(again.out()).isEqualTo(one.out());

        // A cell whose process fails (its resume path is a folder): the others' figures are kept, one line says so.
        Path folder = dir.resolve("jobs.json.cells");
        Path broken;
        try (var files = Files.list(folder)) {
            broken = files.filter(f -> f.toString().endsWith(".json")).sorted().findFirst().orElseThrow();
        }
        Files.delete(broken);
        Files.createDirectory(broken);
        Files.delete(dir.resolve("jobs.json"));
        CliRun failed = CliRun.of(jobs.toArray(String[]::new));
        assertThat(failed.exitCode()).as(failed.err()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(failed.err()).containsPattern("ablate: job --a-clip=\\S+ seed \\d ended with exit code 2 after ");
        assertThat(failed.err().lines().filter(l -> l.startsWith("rotquant: ")).toList()).containsExactly(
                "rotquant: error: a job's process failed (exit code 2); the finished cells are kept in "
                        + dir.resolve("jobs.json") + ", and a rerun measures the rest");
        Map<String, Object> kept = Json.parseObject(Files.readString(dir.resolve("jobs.json")));
        assertThat(((Map<?, ?>) kept.get("cells")).keySet()).as("the other three cells, gathered again")
                .filteredOn(k -> k.toString().endsWith(" ppl") && !k.equals("FP ppl")).hasSize(3);

        List<String> noFile = new ArrayList<>(args);
        noFile.addAll(List.of("--jobs", "2"));
        CliRun refused = CliRun.of(noFile.toArray(String[]::new));
        assertThat(refused.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(refused.err().strip()).isEqualTo(
                "rotquant: error: --jobs 2 needs --resume FILE: the cells' processes gather their figures there");

        List<String> none = new ArrayList<>(args);
        none.addAll(List.of("--jobs", "0", "--resume", dir.resolve("none.json").toString()));
        CliRun zero = CliRun.of(none.toArray(String[]::new));
        assertThat(zero.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(zero.err().strip()).isEqualTo("rotquant: error: --jobs must be at least 1, got 0");
        assertThat(dir.resolve("none.json")).as("a refused run writes nothing").doesNotExist();
    }

    @Test
    void aFlagThatIsNotTheRecipesIsOneLine(@TempDir Path dir) throws IOException {
        for (String vary : new String[] {"seed=0,1", "windows=1,2", "local-block"}) {
            List<String> args = base(zeroShotData(dir));
            args.addAll(List.of("--vary", vary));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.exitCode()).as(vary).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
            assertThat(run.err().strip()).as(vary).startsWith("rotquant: error: --vary: ").doesNotContain("\n");
        }
        List<String> bad = base(zeroShotData(dir));
        bad.addAll(List.of("--vary", "a-bits=4,1"));
        CliRun run = CliRun.of(bad.toArray(String[]::new));
        assertThat(run.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(run.err().strip()).isEqualTo("rotquant: error: --a-bits must be 2..8, or 16 for no quantization; got 1");
    }

    @Test
    void keptRotationsAreReadWhenACellIsPreparedAgain(@TempDir Path dir) throws IOException {
        Path kept = dir.resolve("kept");
        String[] args = {"ablate", "--model", TestPaths.stories260K().toString(), "--data",
                TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString(), "--seqlen", "256", "--windows",
                "2", "--rotation", "duarot", "--iters", "2", "--train-batch", "2", "--train-seqlen", "128", "--w-bits", "4",
                "--w-method", "rtn", "--a-bits", "4", "--kv-bits", "8", "--vary", "init=hadamard", "--seeds", "0,1",
                "--skip-fp", "--keep-rotations", kept.toString(), "--json"};
        CliRun learned = CliRun.of(args);
        assertThat(learned.exitCode()).as(learned.err()).isZero();
        try (Stream<Path> files = Files.list(kept)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .hasSize(2).allMatch(n -> n.matches("duarot-seed[01]-[0-9a-f]{16}\\.safetensors"));
        }

        CliRun again = CliRun.of(args);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err().lines().filter(l -> l.contains("learned matrices read from " + kept))).hasSize(2);
        assertThat(again.err()).doesNotContain("duarot: iter ");
        assertThat(again.lastLine()).as("the same tables").isEqualTo(learned.lastLine());
    }
}
