package io.rotquant.compiler.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.TestPaths;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of broken model directory fails on open with one line naming the file and the field. */
class BadCheckpointTest {
    @TempDir
    Path dir;

    private Path copyStories() throws IOException {
        return TestPaths.copyOfStories260K(dir.resolve("model"));
    }

    @Test
    void intactCopyOpensAndListsEveryTensor() throws IOException {
        Checkpoint checkpoint = Checkpoint.open(copyStories());
        assertThat(checkpoint.config().numLayers()).isEqualTo(5);
        assertThat(checkpoint.require("model.embed_tokens.weight", 512, 64).dtype()).isEqualTo(TensorDType.F32);
    }

    @Test
    void missingDirectory() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> Checkpoint.open(missing)).isInstanceOf(InvalidInputException.class)
                .hasMessage(missing + ": model directory not found");
    }

    @Test
    void missingConfig() throws IOException {
        Path model = copyStories();
        Files.delete(model.resolve("config.json"));
        assertThatThrownBy(() -> Checkpoint.open(model)).hasMessage(model.resolve("config.json") + ": file not found");
    }

    @Test
    void missingWeights() throws IOException {
        Path model = copyStories();
        Files.delete(model.resolve("model.safetensors"));
        assertThatThrownBy(() -> Checkpoint.open(model))
                .hasMessage(model + ": no model.safetensors or model.safetensors.index.json in the model directory");
    }

    @Test
    void notALlamaModel() throws IOException {
        Path model = copyStories();
        Path config = model.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"llama\"", "\"gpt2\""));
        assertThatThrownBy(() -> Checkpoint.open(model))
                .hasMessage(config + ": field 'model_type' is 'gpt2', not a LLaMA-family architecture (supported: llama, mistral, qwen2)");
    }

    @Test
    void truncatedShard() throws IOException {
        Path model = copyStories();
        Path weights = model.resolve("model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        assertThatThrownBy(() -> Checkpoint.open(model)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(weights + ": tensor '")
                .hasMessageContaining("run past the data section")
                .hasMessageEndingWith("file truncated or corrupt");
    }

    @Test
    void shardThatShrinksAfterOpenFailsOnLoadNamingTheFile() throws IOException {
        Path model = copyStories();
        Path weights = model.resolve("model.safetensors");
        Checkpoint checkpoint = Checkpoint.open(model);
        TensorEntry embedding = checkpoint.require("model.embed_tokens.weight", 512, 64);
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.setLength(embedding.fileOffset());
        }
        try (TensorLoader loader = new TensorLoader()) {
            assertThatThrownBy(() -> loader.load(embedding, ScalarType.Float, new Device(torch.DeviceType.CPU)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage(weights + ": shard is " + embedding.fileOffset() + " bytes now, but tensor "
                            + "'model.embed_tokens.weight' needs bytes up to "
                            + (embedding.fileOffset() + embedding.byteLength()) + " (was the file changed during the compile?)");
        }
    }

    @Test
    void shardThatVanishesAfterOpenFailsOnLoadNamingTheFile() throws IOException {
        Path model = copyStories();
        Path weights = model.resolve("model.safetensors");
        TensorEntry embedding = Checkpoint.open(model).require("model.embed_tokens.weight", 512, 64);
        Files.delete(weights);
        try (TensorLoader loader = new TensorLoader()) {
            assertThatThrownBy(() -> loader.load(embedding, ScalarType.Float, new Device(torch.DeviceType.CPU)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith(weights + ": cannot read the shard (");
        }
    }

    @Test
    void fileShorterThanItsHeaderLength() throws IOException {
        Path model = copyStories();
        Path weights = model.resolve("model.safetensors");
        Files.write(weights, new byte[] {(byte) 0xFF, 0x7F, 0, 0, 0, 0, 0, 0, '{'});
        assertThatThrownBy(() -> Checkpoint.open(model))
                .hasMessage(weights + ": header length 32767 does not fit in the file (9 bytes)");
    }

    @Test
    void corruptHeaderJson() throws IOException {
        Path model = copyStories();
        Path weights = model.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[8] = '[';
        Files.write(weights, bytes);
        assertThatThrownBy(() -> Checkpoint.open(model)).hasMessageStartingWith(weights + ": header is not valid JSON");
    }

    @Test
    void offsetsPastTheEndOfTheFile() throws IOException {
        Path model = copyStories();
        Path weights = model.resolve("model.safetensors");
        // Same digit count, so the header keeps its length: the first end offset of seven digits.
        rewriteHeader(weights, header -> header.replaceFirst("\"data_offsets\":\\[(\\d+),\\d{7}\\]",
                "\"data_offsets\":[$1,9999999]"));
        assertThatThrownBy(() -> Checkpoint.open(model))
                .hasMessageStartingWith(weights + ": tensor '")
                .hasMessageContaining("9999999] run past the data section");
    }

    @Test
    void unknownDtype() throws IOException {
        Path model = copyStories();
        Path weights = model.resolve("model.safetensors");
        // An integer dtype of F32's width: the layout stays valid, only the dtype is wrong for a checkpoint.
        rewriteHeader(weights, header -> header.replaceFirst("\"F32\"", "\"I32\""));
        assertThatThrownBy(() -> Checkpoint.open(model))
                .hasMessageStartingWith(weights + ": tensor '")
                .hasMessageEndingWith("has unsupported dtype 'I32' (supported: F32, F16, BF16)");
    }

    @Test
    void shapeThatContradictsTheConfig() throws IOException {
        Path model = copyStories();
        Path config = model.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"intermediate_size\": 172", "\"intermediate_size\": 176"));
        Checkpoint checkpoint = Checkpoint.open(model);
        assertThatThrownBy(() -> checkpoint.require("model.layers.0.mlp.up_proj.weight", 176, 64))
                .hasMessage(model.resolve("model.safetensors") + ": tensor 'model.layers.0.mlp.up_proj.weight' has shape "
                        + "[172, 64] but config.json implies [176, 64]");
    }

    @Test
    void indexNamingAMissingShard() throws IOException {
        Path model = copyStories();
        Files.writeString(model.resolve("model.safetensors.index.json"),
                "{\"metadata\":{},\"weight_map\":{\"model.norm.weight\":\"model-00002-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(model))
                .hasMessage(model.resolve("model.safetensors.index.json")
                        + ": field 'weight_map' names shard 'model-00002-of-00002.safetensors', which is missing");
    }

    /** Replaces the JSON header, keeping its length (space padding) so the data stays in place. */
    private static void rewriteHeader(Path file, java.util.function.UnaryOperator<String> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, length, StandardCharsets.UTF_8);
        String edited = edit.apply(header.stripTrailing());
        assertThat(edited).isNotEqualTo(header.stripTrailing());
        assertThat(edited.length()).isLessThanOrEqualTo(length);
        byte[] padded = (edited + " ".repeat(length - edited.length())).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(padded, 0, bytes, 8, length);
        Files.write(file, bytes);
    }
}
