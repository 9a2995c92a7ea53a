package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare --jobs: a fixed row's columns in one child, a trained row's cells one child each, the same table; --keep-rotations. */
class CompareCommandTest {

    private static List<String> args() {
        return new ArrayList<>(List.of("compare", "--model", TestPaths.stories260K().toString(), "--data",
                TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString(), "--seqlen", "256",
                "--windows", "1", "--methods", "rtn,quarot-rtn,spinquant-rtn", "--settings", "W4A4KV4,W4A8KV8",
                "--iters", "2", "--train-batch", "1", "--train-seqlen", "128", "--json"));
    }

    private static CliRun run(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void jobsSplitTheTableOverChildProcessesAndGiveTheSameFigures(@TempDir Path dir) throws IOException {
        CliRun serial = run(args(), "--resume", dir.resolve("serial.json").toString());
        assertThat(serial.exitCode()).as(serial.err()).isZero();
        String[] jobs = {"--jobs", "3", "--resume", dir.resolve("jobs.json").toString()};
        CliRun split = run(args(), jobs);
        assertThat(split.exitCode()).as(split.err()).isZero();
        assertThat(split.out()).as("every figure, FP's too, as one process measures it").isEqualTo(serial.out());
        assertThat(split.err()).contains("compare: 4 jobs in child processes, 3 at once").contains("compare: job 4/4 done")
                .as("the parent measured nothing itself").doesNotContain("windows in");

        List<String> measured = new ArrayList<>();
        int evaluations = 0;
        try (var files = Files.list(dir.resolve("jobs.json.cells"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                List<String> lines = Files.readAllLines(f);
                lines.stream().filter(l -> l.contains(": ppl ")).forEach(measured::add);
                evaluations += (int) lines.stream().filter(l -> l.contains("windows in")).count();
            }
        }
        assertThat(measured).as("each of the six cells once").hasSize(6)
                .extracting(l -> l.substring(0, l.indexOf(": ppl "))).doesNotHaveDuplicates();
        assertThat(evaluations).as("the six cells and FP once").isEqualTo(7);

        CliRun again = run(args(), jobs);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).doesNotContain("child processes").doesNotContain("windows in");
        assertThat(again.out()).isEqualTo(serial.out());
    }

    @Test
    void aJobThatNamesNoPartOfTheTableIsOneLine(@TempDir Path dir) {
        for (String only : new String[] {"gptq", "rtn@W4A16KV16"}) {
            CliRun bad = run(args(), "--only", only);
            assertThat(bad.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
            assertThat(bad.err().strip()).isEqualTo("rotquant: error: --only: '" + only
                    + "' is not a row (--methods) or a row@column (--settings) of this table");
        }
        CliRun noFile = run(args(), "--jobs", "2");
        assertThat(noFile.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(noFile.err().strip()).isEqualTo(
                "rotquant: error: --jobs 2 needs --resume FILE: the cells' processes gather their figures there");
    }

    @Test
    void keptRotationsAreAFilePerLearnedPreparationAndReadOnARerun(@TempDir Path dir) throws IOException {
        List<String> args = args();
        args.set(args.indexOf("rtn,quarot-rtn,spinquant-rtn"), "spinquant-rtn,dfrot-rtn");
        Path kept = dir.resolve("kept");
        CliRun learned = run(args, "--skip-fp", "--keep-rotations", kept.toString());
        assertThat(learned.exitCode()).as(learned.err()).isZero();
        try (var files = Files.list(kept)) {
            // SpinQuant trains for each column's quantizers; DFRot refines R1 once for the row.
            assertThat(files.map(f -> f.getFileName().toString()).sorted()).hasSize(3)
                    .satisfiesExactly(d -> assertThat(d).startsWith("dfrot-seed0-"),
                            s -> assertThat(s).startsWith("spinquant-seed0-"), s -> assertThat(s).startsWith("spinquant-seed0-"));
        }

        CliRun again = run(args, "--skip-fp", "--keep-rotations", kept.toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err().lines().filter(l -> l.contains(" read from " + kept))).hasSize(3);
        assertThat(again.err()).doesNotContain("iter 1/2").doesNotContain("alternations");
        assertThat(again.out()).isEqualTo(learned.out());
    }
}
