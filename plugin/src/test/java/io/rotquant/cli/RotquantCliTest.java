package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval subcommand end to end: JSON contract, rotation invariance of the PPL, one-line errors. */
class RotquantCliTest {

    private static String storiesText() {
        return TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString();
    }

    @Test
    void evalPrintsOneJsonObjectLastAndRotationKeepsThePerplexity() {
        CliRun plain = CliRun.of("eval", "--model", TestPaths.stories260K().toString(), "--data", storiesText(),
                "--seqlen", "256", "--json", "--quiet");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        JsonObject json = JsonObject.parse("stdout", plain.lastLine());
        assertThat(json.integer("windows")).isPositive();
        assertThat(json.integer("tokens")).isEqualTo(json.integer("windows") * 255);
        double ppl = json.number("ppl");
        // In-distribution text for the model that generated it: far below the uniform 512.
        assertThat(ppl).isBetween(1.5, 10.0);
        assertThat(json.number("seconds")).isPositive();
        assertThat(json.string("rotation")).isEqualTo("none");

        for (String rotation : new String[] {"hadamard", "orthogonal"}) {
            CliRun rotated = CliRun.of("eval", "--model", TestPaths.stories260K().toString(), "--data", storiesText(),
                    "--seqlen", "256", "--rotation", rotation, "--seed", "3", "--json", "--quiet");
            assertThat(rotated.exitCode()).as(rotated.err()).isZero();
            double rotatedPpl = JsonObject.parse("stdout", rotated.lastLine()).number("ppl");
            assertThat(String.format("%.4g", rotatedPpl)).as(rotation).isEqualTo(String.format("%.4g", ppl));
        }
    }

    @Test
    void compareTabulatesEveryMethodAndSetting() {
        CliRun run = CliRun.of("compare", "--model", TestPaths.stories260K().toString(), "--data", storiesText(), "--seqlen", "256",
                "--windows", "2", "--methods", "rtn,quarot-rtn", "--settings", "W4A4KV4,W4A8KV8", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> rows = run.out().lines().filter(l -> l.startsWith("| ")).toList();
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).isEqualTo("| Method | W4A4KV4 | W4A8KV8 |");
        assertThat(rows.get(3)).startsWith("| QuaRot-RTN (randomized Hadamard) | ");
        JsonObject json = JsonObject.parse("stdout", run.lastLine());
        double fp = json.number("FP");
        double quarot = json.number("QuaRot-RTN (randomized Hadamard) W4A4KV4");
        assertThat(quarot).isGreaterThan(fp);
        assertThat(json.number("QuaRot-RTN (randomized Hadamard) W4A8KV8")).isLessThan(quarot);

        CliRun bad = CliRun.of("compare", "--model", TestPaths.stories260K().toString(), "--data", storiesText(),
                "--settings", "W4A4", "--windows", "1");
        assertThat(bad.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(bad.err().strip()).isEqualTo("rotquant: error: --settings: 'W4A4' is not of the form W4A4KV4");
    }

    @Test
    void compareRefinesDfRotOnceForAllColumnsAndEachCellIsEvalsFigure() {
        String[] common = {"--model", TestPaths.stories260K().toString(), "--data", storiesText(), "--seqlen", "256",
                "--windows", "2", "--iters", "3"};
        List<String> compare = new java.util.ArrayList<>(List.of("compare"));
        compare.addAll(List.of(common));
        compare.addAll(List.of("--methods", "dfrot-rtn", "--settings", "W4A4KV4,W4A4KV16", "--json"));
        CliRun run = CliRun.of(compare.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err().lines().filter(l -> l.startsWith("dfrot: ")).count()).as(run.err()).isEqualTo(1);
        JsonObject json = JsonObject.parse("stdout", run.lastLine());
        for (String kv : new String[] {"4", "16"}) {
            List<String> eval = new java.util.ArrayList<>(List.of("eval"));
            eval.addAll(List.of(common));
            eval.addAll(List.of("--rotation", "dfrot", "--w-bits", "4", "--w-method", "rtn", "--a-bits", "4", "--kv-bits", kv,
                    "--skip-fp", "--quiet", "--json"));
            CliRun single = CliRun.of(eval.toArray(String[]::new));
            assertThat(single.exitCode()).as(single.err()).isZero();
            assertThat(json.number("DFRot-RTN W4A4KV" + kv)).as("KV" + kv)
                    .isEqualTo(JsonObject.parse("stdout", single.lastLine()).number("ppl"));
        }
    }

    @Test
    void compareResumesFromItsResultsFileAndRefusesAnotherProtocol(@TempDir Path dir) {
        String results = dir.resolve("table.json").toString();
        String[] args = {"compare", "--model", TestPaths.stories260K().toString(), "--data", storiesText(), "--seqlen", "256",
                "--windows", "1", "--methods", "rtn", "--settings", "W4A8KV8", "--json", "--resume", results};
        CliRun first = CliRun.of(args);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("windows in");

        CliRun second = CliRun.of(args);
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).as("every cell comes from the file").doesNotContain("windows in");
        assertThat(second.out()).isEqualTo(first.out());

        String[] otherSeed = java.util.Arrays.copyOf(args, args.length + 2);
        otherSeed[args.length] = "--seed";
        otherSeed[args.length + 1] = "1";
        CliRun refused = CliRun.of(otherSeed);
        assertThat(refused.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(refused.err().strip()).startsWith("rotquant: error: --resume " + results + ": measured under another protocol")
                .doesNotContain("\n");
    }

    @Test
    void compareWithSkipFpMeasuresNoFpRowUnlessItsFileHoldsOne(@TempDir Path dir) {
        String[] args = {"compare", "--model", TestPaths.stories260K().toString(), "--data", storiesText(), "--seqlen", "256",
                "--windows", "1", "--methods", "rtn", "--settings", "W4A8KV8", "--json", "--resume",
                dir.resolve("table.json").toString()};
        String[] skipping = java.util.Arrays.copyOf(args, args.length + 1);
        skipping[args.length] = "--skip-fp";

        CliRun cellOnly = CliRun.of(skipping);
        assertThat(cellOnly.exitCode()).as(cellOnly.err()).isZero();
        assertThat(cellOnly.err().lines().filter(l -> l.contains("windows in")).count()).as(cellOnly.err()).isEqualTo(1);
        assertThat(cellOnly.out()).doesNotContain("| FP |");
        assertThat(JsonObject.parse("stdout", cellOnly.lastLine()).raw("FP")).isNull();

        CliRun withFp = CliRun.of(args);
        assertThat(withFp.exitCode()).as(withFp.err()).isZero();
        assertThat(withFp.err().lines().filter(l -> l.contains("windows in")).count()).as("only FP is left").isEqualTo(1);
        assertThat(withFp.out()).contains("| FP |");

        CliRun resumed = CliRun.of(skipping);
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).doesNotContain("windows in");
        assertThat(resumed.out()).isEqualTo(withFp.out());
    }

    @Test
    void aResumedTableRefusesCellsFromAnotherMachine(@TempDir Path dir) throws java.io.IOException {
        Path results = dir.resolve("table.json");
        String[] args = {"compare", "--model", TestPaths.stories260K().toString(), "--data", storiesText(), "--seqlen", "256",
                "--windows", "1", "--methods", "rtn", "--settings", "W4A8KV8", "--threads", "2", "--resume", results.toString()};
        CliRun first = CliRun.of(args);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(java.nio.file.Files.readString(results)).contains("\"machine\":{\"device\":\"cpu, 2 threads\"")
                .contains("\"instruction_set\":").contains("\"dtype\":\"fp32\"");

        String[] oneThread = args.clone();
        oneThread[java.util.Arrays.asList(args).indexOf("--threads") + 1] = "1";
        CliRun refused = CliRun.of(oneThread);
        assertThat(refused.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(refused.err().strip()).startsWith("rotquant: error: --resume " + results + ": measured on {\"device\":"
                + "\"cpu, 2 threads\"").contains("this run is on {\"device\":\"cpu, 1 threads\"").doesNotContain("\n");

        // A file written before machines were recorded cannot say where its cells came from.
        String stored = java.nio.file.Files.readString(results);
        java.nio.file.Files.writeString(results, stored.replaceFirst(",\"machine\":\\{[^}]*\\}", ""));
        CliRun unknown = CliRun.of(args);
        assertThat(unknown.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(unknown.err()).contains("measured on a machine it does not record");
    }

    @Test
    void missingModelDirectoryIsOneLine(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        CliRun run = CliRun.of("eval", "--model", missing.toString(), "--data", storiesText());
        assertThat(run.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(run.err().strip()).isEqualTo("rotquant: error: " + missing + ": model directory not found");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void missingDataFileIsOneLine(@TempDir Path dir) {
        Path missing = dir.resolve("nope.txt");
        CliRun run = CliRun.of("eval", "--model", TestPaths.stories260K().toString(), "--data", missing.toString());
        assertThat(run.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(run.err().strip()).isEqualTo("rotquant: error: --data " + missing + ": file not found");
    }

    @Test
    void badOptionValuesAreOneLine() {
        CliRun rotation = CliRun.of("eval", "--model", TestPaths.stories260K().toString(), "--data", storiesText(),
                "--rotation", "spin");
        assertThat(rotation.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(rotation.err().strip()).isEqualTo(
                "rotquant: error: --rotation: 'spin' is not one of none, identity, hadamard, orthogonal, spinquant, duarot, dfrot");

        for (String[] bad : new String[][] {{"--alpha", "0.5", "--alpha must be a number of at least 1, got 0.5"},
                {"--iters", "-1", "--iters must be 0 or positive, got -1"}, {"--lr", "0", "--lr must be a positive number, got 0.0"}}) {
            CliRun run = CliRun.of("eval", "--model", TestPaths.stories260K().toString(), "--data", storiesText(),
                    "--rotation", "spinquant", bad[0], bad[1]);
            assertThat(run.exitCode()).as(bad[0]).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
            assertThat(run.err().strip()).isEqualTo("rotquant: error: " + bad[2]);
        }

        CliRun localFromDfRot = CliRun.of("eval", "--model", TestPaths.stories260K().toString(), "--data", storiesText(),
                "--rotation", "duarot", "--init", "dfrot", "--rotation-variant", "local");
        assertThat(localFromDfRot.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(localFromDfRot.err().strip()).isEqualTo(
                "rotquant: error: --init dfrot starts the global factor; --rotation-variant local has none");

        CliRun tooLong = CliRun.of("eval", "--model", TestPaths.stories260K().toString(), "--data", storiesText(),
                "--seqlen", "4096");
        assertThat(tooLong.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(tooLong.err().lines().filter(l -> l.startsWith("rotquant:")).toList()).containsExactly(
                "rotquant: error: --seqlen 4096 must be between 2 and the model's context (config.json max_position_embeddings = 512)");

        CliRun unknown = CliRun.of("eval", "--modle", "x");
        assertThat(unknown.exitCode()).isEqualTo(RotquantCli.EXIT_INVALID_INPUT);
        assertThat(unknown.err().strip().lines()).hasSize(1);
    }
}
