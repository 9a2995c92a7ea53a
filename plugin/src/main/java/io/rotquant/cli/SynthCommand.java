package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rotquant synth}: writes a random-weight LLaMA (or Qwen2) checkpoint of a published shape,
 * for memory and speed measurements at sizes whose real weights are not at hand. Weights (and
 * Qwen2's q/k/v biases) are uniform with the standard deviation of LLaMA's initializer (0.02),
 * norms are 1, all bf16, reproducible from the seed.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a random-weight LLaMA or Qwen2 checkpoint of a known shape (for benchmarks).")
final class SynthCommand implements Callable<Integer> {
    private static final double STD = 0.02;
    private static final int CHUNK = 1 << 20;

    /** A shape: the config.json fields that differ between shapes. */
    enum Shape {
        LLAMA_3_2_1B("llama-3.2-1b", "llama", 2048, 8192, 16, 32, 8, 64, 128256, true, 500000.0, 32.0),
        LLAMA_3_1_8B("llama-3.1-8b", "llama", 4096, 14336, 32, 32, 8, 128, 128256, false, 500000.0, 8.0),
        QWEN2_5_0_5B("qwen2.5-0.5b", "qwen2", 896, 4864, 24, 14, 2, 64, 151936, true, 1000000.0, 0),
        TINY("tiny", "llama", 64, 128, 2, 4, 2, 16, 512, false, 10000.0, 0);

        final String label;
        /** config.json's model_type; qwen2 has q/k/v biases. */
        final String modelType;
        final int hidden;
        final int intermediate;
        final int layers;
        final int heads;
        final int kvHeads;
        final int headDim;
        final int vocab;
        final boolean tied;
        final double ropeTheta;
        /** LLaMA-3 RoPE scaling factor, 0 for plain RoPE. */
        final double ropeFactor;

        Shape(String label, String modelType, int hidden, int intermediate, int layers, int heads, int kvHeads, int headDim,
                int vocab, boolean tied, double ropeTheta, double ropeFactor) {
            this.label = label;
            this.modelType = modelType;
            this.hidden = hidden;
            this.intermediate = intermediate;
            this.layers = layers;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
            this.vocab = vocab;
            this.tied = tied;
            this.ropeTheta = ropeTheta;
            this.ropeFactor = ropeFactor;
        }

        static Shape parse(String label) {
            for (Shape s : values()) {
                if (s.label.equals(label)) {
                    return s;
                }
            }
            throw new InvalidInputException("--shape: unknown shape '" + label + "' (" + labels() + ")");
        }

        static String labels() {
            return java.util.Arrays.stream(values()).map(s -> s.label).collect(java.util.stream.Collectors.joining(", "));
        }
    }

    @Option(names = "--shape", required = true, paramLabel = "NAME",
            description = "llama-3.2-1b, llama-3.1-8b, qwen2.5-0.5b or tiny.")
    String shape;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
            description = "tokenizer.json to copy in (its vocabulary must fit the shape's).")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to create.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        Shape s = Shape.parse(shape);
        if (!Files.isRegularFile(tokenizer)) {
            throw new InvalidInputException("--tokenizer " + tokenizer + ": no such file");
        }
        if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
            throw new InvalidInputException("--out " + out + ": exists and is not an empty directory");
        }
        long start = System.nanoTime();
        Files.createDirectories(out);
        Files.writeString(out.resolve("config.json"), JsonWriter.write(config(s)));
        Files.copy(tokenizer, out.resolve("tokenizer.json"));
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        tensors.add(random("model.embed_tokens.weight", STD, s.vocab, s.hidden));
        for (int l = 0; l < s.layers; l++) {
            String p = "model.layers." + l + ".";
            tensors.add(random(p + "input_layernorm.weight", 0, s.hidden));
            tensors.add(random(p + "self_attn.q_proj.weight", STD, (long) s.heads * s.headDim, s.hidden));
            tensors.add(random(p + "self_attn.k_proj.weight", STD, (long) s.kvHeads * s.headDim, s.hidden));
            tensors.add(random(p + "self_attn.v_proj.weight", STD, (long) s.kvHeads * s.headDim, s.hidden));
            tensors.add(random(p + "self_attn.o_proj.weight", STD, s.hidden, (long) s.heads * s.headDim));
            tensors.add(random(p + "post_attention_layernorm.weight", 0, s.hidden));
            tensors.add(random(p + "mlp.gate_proj.weight", STD, s.intermediate, s.hidden));
            tensors.add(random(p + "mlp.up_proj.weight", STD, s.intermediate, s.hidden));
            tensors.add(random(p + "mlp.down_proj.weight", STD, s.hidden, s.intermediate));
            if (s.modelType.equals("qwen2")) {
                tensors.add(random(p + "self_attn.q_proj.bias", STD, (long) s.heads * s.headDim));
                tensors.add(random(p + "self_attn.k_proj.bias", STD, (long) s.kvHeads * s.headDim));
                tensors.add(random(p + "self_attn.v_proj.bias", STD, (long) s.kvHeads * s.headDim));
            }
        }
        tensors.add(random("model.norm.weight", 0, s.hidden));
        if (!s.tied) {
            tensors.add(random("lm_head.weight", STD, s.vocab, s.hidden));
        }
        Path weights = out.resolve("model.safetensors");
        SafetensorsWriter.write(weights, Map.of("format", "pt"), tensors, 8);
        System.err.printf(Locale.ROOT, "wrote %s (%s, %.2f GB) in %.1f s%n", out, s.label, Files.size(weights) / 1e9,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static boolean isEmpty(Path directory) throws IOException {
        try (var entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }

    private static Map<String, Object> config(Shape s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of(s.modelType.equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM"));
        c.put("model_type", s.modelType);
        c.put("hidden_size", s.hidden);
        c.put("intermediate_size", s.intermediate);
        c.put("num_hidden_layers", s.layers);
        c.put("num_attention_heads", s.heads);
        c.put("num_key_value_heads", s.kvHeads);
        c.put("head_dim", s.headDim);
        c.put("vocab_size", s.vocab);
        c.put("max_position_embeddings", s.ropeFactor > 0 ? 131072 : s.modelType.equals("qwen2") ? 32768 : 2048);
        c.put("rms_norm_eps", s.modelType.equals("qwen2") ? 1e-6 : 1e-5);
        c.put("rope_theta", s.ropeTheta);
        if (s.ropeFactor > 0) {
            c.put("rope_scaling", Map.of("rope_type", "llama3", "factor", s.ropeFactor, "low_freq_factor", 1.0,
                    "high_freq_factor", 4.0, "original_max_position_embeddings", 8192));
        }
        c.put("tie_word_embeddings", s.tied);
        c.put("hidden_act", "silu");
        c.put("torch_dtype", "bfloat16");
        return c;
    }

    /**
     * A bf16 tensor: uniform with standard deviation {@code std} (0: all ones, a norm weight). Each
     * chunk draws from its own stream (seed, name, chunk index), so chunks are made in parallel
     * and the file is the same whatever the core count.
     */
    private SafetensorsWriter.Tensor random(String name, double std, long... shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        long total = count;
        long chunks = (total + CHUNK - 1) / CHUNK;
        return new SafetensorsWriter.Tensor(name, "BF16", shape, 2 * count, channel -> {
            int parallel = Runtime.getRuntime().availableProcessors();
            for (long first = 0; first < chunks; first += parallel) {
                long from = first;
                List<ByteBuffer> made = java.util.stream.LongStream.range(from, Math.min(chunks, from + parallel)).parallel()
                        .mapToObj(c -> chunk(name, std, c, (int) Math.min(CHUNK, total - c * CHUNK))).toList();
                for (ByteBuffer buffer : made) {
                    SafetensorsWriter.writeFully(channel, buffer);
                }
            }
        });
    }

    private ByteBuffer chunk(String name, double std, long index, int n) {
        SplittableRandom random = new SplittableRandom((seed ^ name.hashCode() * 0x9E3779B97F4A7C15L) + index * 0xBF58476D1CE4E5B9L);
        double half = std * Math.sqrt(3);
        ByteBuffer buffer = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float value = std == 0 ? 1f : (float) ((random.nextDouble() * 2 - 1) * half);
            buffer.putShort(bf16(value));
        }
        return buffer.flip();
    }

    /** Round-to-nearest-even float → bfloat16 bits (finite inputs). */
    private static short bf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
