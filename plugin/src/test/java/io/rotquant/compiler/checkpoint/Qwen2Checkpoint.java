package io.rotquant.compiler.checkpoint;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import io.rotquant.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;

/**
 * A Qwen2-architecture checkpoint for tests: stories260K's weights, tokenizer and shape, declared
 * {@code qwen2} (with the sliding window that Qwen2 configs give and switch off) and given random
 * q, k and v biases of a size that moves its outputs, seeded.
 */
public final class Qwen2Checkpoint {
    private static final double BIAS_STD = 0.2;

    private Qwen2Checkpoint() {
    }

    /** Writes the checkpoint into {@code dir} (created) and returns it. */
    public static Path write(Path dir) {
        try {
            TestPaths.copyOfStories260K(dir);
            Path source = TestPaths.stories260K();
            String config = Files.readString(source.resolve("config.json")).strip();
            config = config.replaceFirst("\"model_type\"\\s*:\\s*\"llama\"", "\"model_type\": \"qwen2\"");
            Files.writeString(dir.resolve("config.json"), config.substring(0, config.length() - 1)
                    + ", \"use_sliding_window\": false, \"sliding_window\": 64}");
            writeWeights(source.resolve("model.safetensors"), dir.resolve("model.safetensors"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeWeights(Path from, Path to) throws IOException {
        Random random = new Random(20261205);
        byte[] file = Files.readAllBytes(from);
        try (SafetensorsFile in = SafetensorsFile.open(from)) {
            List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
            for (SafetensorsFile.Entry e : in.entries().values()) {
                int start = Math.toIntExact(in.dataStart() + e.start());
                byte[] bytes = java.util.Arrays.copyOfRange(file, start, start + Math.toIntExact(e.byteLength()));
                tensors.add(new SafetensorsWriter.Tensor(e.name(), e.dtype(), e.shape(), bytes.length,
                        out -> SafetensorsWriter.writeFully(out, ByteBuffer.wrap(bytes))));
                if (e.name().endsWith("_proj.weight") && e.name().contains(".self_attn.")
                        && !e.name().contains("o_proj")) {
                    int rows = (int) e.shape()[0];
                    ByteBuffer bias = ByteBuffer.allocate(4 * rows).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < rows; i++) {
                        bias.putFloat((float) (BIAS_STD * random.nextGaussian()));
                    }
                    byte[] biasBytes = bias.array();
                    tensors.add(new SafetensorsWriter.Tensor(e.name().replace(".weight", ".bias"), "F32", new long[] {rows},
                            biasBytes.length, out -> SafetensorsWriter.writeFully(out, ByteBuffer.wrap(biasBytes))));
                }
            }
            SafetensorsWriter.write(to, new LinkedHashMap<>(in.metadata()), tensors, 8);
        }
    }
}
