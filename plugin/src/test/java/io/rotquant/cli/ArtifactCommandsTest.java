package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.checkpoint.InputDigests;
import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compile → inspect → run → ppl through the CLI on stories260K, and their one-line errors. */
class ArtifactCommandsTest {
    @TempDir
    Path dir;

    @Test
    void compileInspectRunAndPplAnArtifact() {
        Path artifact = dir.resolve("stories.rqm");
        CliRun compile = CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out", artifact.toString(),
                "--rotation", "hadamard", "--w-bits", "4", "--w-method", "rtn", "--a-bits", "8", "--kv-bits", "8",
                "--json", "--quiet");
        assertThat(compile.exitCode()).as(compile.err()).isZero();
        JsonObject result = JsonObject.parse("stdout", compile.lastLine());
        assertThat(result.integer("bytes")).isPositive();
        assertThat(result.string("recipe")).isEqualTo("hadamard W4A8KV8 rtn");

        CliRun inspect = CliRun.of("inspect", artifact.toString(), "--json");
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(JsonObject.parse("stdout", inspect.lastLine()).string("format")).isEqualTo("rotquant");

        CliRun run = CliRun.of("run", "--artifact", artifact.toString(), "--prompt", "Once upon a time", "--max-tokens",
                "20", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JsonObject.parse("stdout", run.lastLine()).integer("tokens")).isBetween(1L, 20L);
        assertThat(JsonObject.parse("stdout", run.lastLine()).string("finish_reason")).isIn("length", "stop_token");

        CliRun sampled = CliRun.of("run", "--artifact", artifact.toString(), "--prompt", "Once upon a time", "--max-tokens",
                "30", "--temperature", "0.8", "--top-k", "20", "--min-p", "0.05", "--repetition-penalty", "1.1",
                "--stop", ".", "--seed", "3", "--json");
        assertThat(sampled.exitCode()).as(sampled.err()).isZero();
        JsonObject sampledJson = JsonObject.parse("stdout", sampled.lastLine());
        assertThat(sampledJson.string("text")).doesNotContain(".");
        assertThat(sampledJson.string("finish_reason")).isIn("stop_string", "length", "stop_token");
        CliRun badTopK = CliRun.of("run", "--artifact", artifact.toString(), "--prompt", "x", "--top-k", "-1");
        assertThat(badTopK.exitCode()).isEqualTo(2);
        assertThat(badTopK.err().strip()).endsWith("rotquant: error: --top-k -1: must be >= 0");

        CliRun ppl = CliRun.of("ppl", "--artifact", artifact.toString(), "--data",
                TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString(), "--windows", "2",
                "--seqlen", "128", "--json");
        assertThat(ppl.exitCode()).as(ppl.err()).isZero();
        assertThat(JsonObject.parse("stdout", ppl.lastLine()).number("ppl")).isBetween(1.5, 20.0);
    }

    @Test
    void compileWithoutRecipeFlagsMakesTheMavenGoalsDefaultArtifact() {
        Path artifact = dir.resolve("default.rqm");
        CliRun compile = CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out", artifact.toString(),
                "--nsamples", "2", "--seqlen", "64", "--json", "--quiet");
        assertThat(compile.exitCode()).as(compile.err()).isZero();
        assertThat(JsonObject.parse("stdout", compile.lastLine()).string("recipe")).isEqualTo("hadamard W4A4KV4 gptq");
        assertThat(CliRun.of("compile", "--help").out()).contains("Weight bits, 2..8 or 16 = FP (default: 4)");
    }

    @Test
    void aRecipeGivenAsJsonCompilesTheSameBytesAsItsFlags() throws Exception {
        String model = TestPaths.stories260K().toString();
        Path byFlags = dir.resolve("flags.rqm");
        CliRun flags = CliRun.of("compile", "--model", model, "--out", byFlags.toString(), "--rotation", "orthogonal",
                "--w-bits", "4", "--w-method", "rtn", "--no-w-clip", "--a-bits", "8", "--kv-bits", "8", "--seed", "5",
                "--quiet");
        assertThat(flags.exitCode()).as(flags.err()).isZero();
        Path recipe = dir.resolve("recipe.json");
        // The recipe as the artifact records it.
        JsonObject inspected = JsonObject.parse("inspect", CliRun.of("inspect", byFlags.toString(), "--json").lastLine());
        Files.writeString(recipe, inspected.string("recipe"));
        Path byJson = dir.resolve("json.rqm");
        CliRun json = CliRun.of("compile", "--model", model, "--out", byJson.toString(), "--recipe", recipe.toString(),
                "--quiet");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(Files.readAllBytes(byJson)).isEqualTo(Files.readAllBytes(byFlags));

        CliRun both = CliRun.of("compile", "--model", model, "--out", dir.resolve("both.rqm").toString(), "--recipe",
                recipe.toString(), "--w-bits", "8");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err().strip()).isEqualTo("rotquant: error: --recipe " + recipe
                + " gives the whole recipe; --w-bits cannot be given beside it");
    }

    @Test
    void inspectDescribesAFileOfKeptRotations() throws Exception {
        Path rotations = dir.resolve("dfrot.safetensors");
        CliRun compile = CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out",
                dir.resolve("dfrot.rqm").toString(), "--rotation", "dfrot", "--iters", "2", "--w-method", "rtn",
                "--rotations", rotations.toString(), "--quiet");
        assertThat(compile.exitCode()).as(compile.err()).isZero();

        CliRun inspect = CliRun.of("inspect", rotations.toString(), "--tensors", "--json");
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("  matrix.0                                 F64  [64, 64]");
        JsonObject described = JsonObject.parse("stdout", inspect.lastLine());
        assertThat(described.string("rotations")).isEqualTo(rotations.toString());
        assertThat(described.string("format")).isEqualTo("rotquant-rotations");
        assertThat(described.string("recipe")).contains("\"rotation\":\"dfrot\"").contains("\"iters\":\"2\"");
        assertThat(described.string("model")).contains("\"hidden_size\":\"64\"");
        assertThat(described.string("checkpoint")).as("the checkpoint files it was learned from")
                .contains("\"model.safetensors\":\"" + InputDigests.sha256(TestPaths.stories260K().resolve("model.safetensors")))
                .doesNotContain("tokenizer_config.json");
    }

    @Test
    void inspectDescribesASavedSession() throws Exception {
        Path artifact = dir.resolve("s.rqm");
        assertThat(CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out", artifact.toString(),
                "--w-bits", "8", "--w-method", "rtn", "--quiet").exitCode()).isZero();
        Path saved = dir.resolve("session.safetensors");
        try (io.rotquant.runtime.model.RotQuantModel model = io.rotquant.runtime.model.RotQuantModel.load(artifact, 1)) {
            var session = model.newSession();
            session.append(model.tokenizer().encode("Once upon a time"), 0, 5);
            session.notes().put("user", "ada");
            session.save(saved);
        }
        CliRun inspect = CliRun.of("inspect", saved.toString(), "--json");
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        JsonObject described = JsonObject.parse("stdout", inspect.lastLine());
        assertThat(described.string("session")).isEqualTo(saved.toString());
        assertThat(described.string("position")).isEqualTo("5");
        assertThat(described.string("note.user")).isEqualTo("ada");
    }

    @Test
    void badInputEndsWithOneLine() throws Exception {
        CliRun missing = CliRun.of("run", "--artifact", dir.resolve("none.rqm").toString(), "--prompt", "x");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err().strip()).isEqualTo("rotquant: error: --artifact " + dir.resolve("none.rqm")
                + ": file not found");

        Path artifact = dir.resolve("a.rqm");
        assertThat(CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out", artifact.toString(),
                "--w-bits", "8", "--w-method", "rtn", "--quiet").exitCode()).isZero();
        Path tiny = dir.resolve("tiny.txt");
        Files.writeString(tiny, "Once");
        CliRun shortText = CliRun.of("ppl", "--artifact", artifact.toString(), "--data", tiny.toString());
        assertThat(shortText.exitCode()).isEqualTo(2);
        // The banner line, then the error in one line.
        assertThat(shortText.err().strip().lines().toList()).last().asString()
                .startsWith("rotquant: error: --data " + tiny + ": the text has");
        CliRun longPrompt = CliRun.of("run", "--artifact", artifact.toString(), "--prompt", "Once upon a time ".repeat(200));
        assertThat(longPrompt.exitCode()).isEqualTo(2);
        assertThat(longPrompt.err().strip().lines().toList()).last().asString()
                .startsWith("rotquant: error: --prompt: sequence of");

        Path actOrderGroups = dir.resolve("groups.rqm");
        CliRun groups = CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out",
                actOrderGroups.toString(), "--w-bits", "4", "--w-group", "4", "--gptq-act-order");
        assertThat(groups.exitCode()).isEqualTo(2);
        assertThat(groups.err()).contains("add --gptq-static-groups").hasLineCount(1);
        assertThat(Files.exists(actOrderGroups)).isFalse();

        Path headBits = dir.resolve("head7.rqm");
        CliRun seven = CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out", headBits.toString(),
                "--w-method", "rtn", "--head-bits", "7");
        assertThat(seven.exitCode()).isEqualTo(2);
        assertThat(seven.err().strip()).isEqualTo("rotquant: error: --head-bits must be 4, 8 or 16, got 7");
        assertThat(Files.exists(headBits)).isFalse();

        Path checkpoint = TestPaths.stories260K().resolve("model.safetensors");
        CliRun notArtifact = CliRun.of("inspect", checkpoint.toString());
        assertThat(notArtifact.exitCode()).isEqualTo(2);
        assertThat(notArtifact.err()).contains("not a rotquant artifact").hasLineCount(1);

        Path out = dir.resolve("fp.rqm");
        CliRun unquantized = CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out", out.toString(),
                "--w-bits", "16");
        assertThat(unquantized.exitCode()).isEqualTo(2);
        assertThat(unquantized.err()).contains("--w-bits 16: an artifact needs quantized weights").hasLineCount(1);
        assertThat(Files.exists(out)).isFalse();
    }
}
