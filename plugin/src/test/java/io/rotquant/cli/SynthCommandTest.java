package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.json.Json;
import io.rotquant.runtime.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
    @TempDir
    Path dir;

    private CliRun synth(String out, String seed) {
        return CliRun.of("synth", "--shape", "tiny", "--tokenizer",
                TestPaths.stories260K().resolve("tokenizer.json").toString(), "--out", dir.resolve(out).toString(),
                "--seed", seed);
    }

    @Test
    void writesALoadableCheckpointReproducibleFromTheSeed() throws IOException {
        assertThat(synth("a", "7").exitCode()).isZero();
        assertThat(synth("b", "7").exitCode()).isZero();
        assertThat(synth("c", "8").exitCode()).isZero();
        byte[] a = Files.readAllBytes(dir.resolve("a/model.safetensors"));
        assertThat(Files.readAllBytes(dir.resolve("b/model.safetensors"))).isEqualTo(a);
        assertThat(Files.readAllBytes(dir.resolve("c/model.safetensors"))).isNotEqualTo(a);
        Map<String, Object> config = Json.parseObject(Files.readString(dir.resolve("a/config.json")));
        assertThat(config).containsEntry("hidden_size", 64L).containsEntry("num_hidden_layers", 2L)
                .containsEntry("vocab_size", 512L);

        CliRun eval = CliRun.of("eval", "--model", dir.resolve("a").toString(), "--data",
                TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString(), "--seqlen", "64",
                "--windows", "2", "--json", "--quiet");
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        // Random weights: near-uniform predictions over the 512-token vocabulary.
        assertThat(JsonObject.parse("stdout", eval.lastLine()).number("ppl")).isBetween(300.0, 800.0);
    }

    @Test
    void refusesAnUnknownShapeAndANonEmptyOutputDirectory() throws IOException {
        CliRun unknown = CliRun.of("synth", "--shape", "llama-70b", "--tokenizer", "x", "--out", dir.toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err().strip()).isEqualTo("rotquant: error: --shape: unknown shape 'llama-70b' (llama-3.2-1b, llama-3.1-8b, qwen2.5-0.5b, tiny)");
        Files.writeString(dir.resolve("d"), "");
        CliRun occupied = synth("", "0");
        assertThat(occupied.exitCode()).isEqualTo(2);
        assertThat(occupied.err()).contains("exists and is not an empty directory").hasLineCount(1);
    }
}
