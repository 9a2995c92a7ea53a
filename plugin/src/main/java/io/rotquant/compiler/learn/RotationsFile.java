package io.rotquant.compiler.learn;

import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_ACT_ORDER;
import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_DAMP;
import static io.rotquant.compiler.recipe.RecipeParameter.GPTQ_STATIC_GROUPS;
import static io.rotquant.compiler.recipe.RecipeParameter.NSAMPLES;
import static io.rotquant.compiler.recipe.RecipeParameter.ROTATIONS;
import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_MEMORY;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.checkpoint.InputDigests;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RecipeParameter;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.runtime.json.Json;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.safetensors.SafetensorsException;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import io.rotquant.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The file that keeps a learned rotation's matrices ({@code --rotations}): safetensors with one
 * float64 tensor per matrix, {@code matrix.0} on in the method's order (SpinQuant's and DuaRot's
 * Cayley parameters, DFRot's R1), and in its metadata the recipe settings, model shape and checkpoint
 * files they were learned under. Read back for the same settings and checkpoint, they give the learned
 * rotations without learning; any other recipe or checkpoint, or matrices not the method's, are
 * refused in one line.
 */
public final class RotationsFile {
    static final String FORMAT = "rotquant-rotations";
    static final String VERSION = "2";
    private static final String MATRIX = "matrix.";
    /** Settings that do not change what is learned: GPTQ's own, how a step is held, the file itself. */
    private static final Set<String> NOT_LEARNED = Set.of(Recipe.LABEL_KEY, NSAMPLES.jsonKey(), GPTQ_DAMP.jsonKey(),
            GPTQ_ACT_ORDER.jsonKey(), GPTQ_STATIC_GROUPS.jsonKey(), TRAIN_MEMORY.jsonKey(), ROTATIONS.jsonKey());
    /** The checkpoint file that does not change what is learned: the chat template. */
    private static final String NOT_LEARNED_FROM = "tokenizer_config.json";

    private RotationsFile() {
    }

    /** Whether safetensors {@code metadata} is a rotations file's (of any version). */
    public static boolean isRotationsFile(Map<String, String> metadata) {
        return FORMAT.equals(metadata.get("format"));
    }

    /** The settings of {@code recipe} that decide the learned matrices (a calibration file by its name). */
    static Map<String, String> learnedUnder(Recipe recipe) {
        Map<String, String> settings = new LinkedHashMap<>();
        recipe.toJson().forEach((key, value) -> {
            if (!NOT_LEARNED.contains(key)) {
                settings.put(key, String.valueOf(value));
            }
        });
        if (recipe.calibration() != null) {
            settings.put(RecipeParameter.CALIBRATION.jsonKey(), recipe.calibration().getFileName().toString());
        }
        return settings;
    }

    /** The model's dimensions that fix the matrices' shapes. */
    static Map<String, String> shapeOf(ModelConfig config) {
        Map<String, String> shape = new LinkedHashMap<>();
        shape.put("hidden_size", Integer.toString(config.hiddenSize()));
        shape.put("intermediate_size", Integer.toString(config.intermediateSize()));
        shape.put("num_hidden_layers", Integer.toString(config.numLayers()));
        shape.put("num_attention_heads", Integer.toString(config.numHeads()));
        shape.put("num_key_value_heads", Integer.toString(config.numKvHeads()));
        shape.put("head_dim", Integer.toString(config.headDim()));
        return shape;
    }

    /**
     * SHA-256 of the checkpoint files the matrices are learned from, by name: the weights, the
     * configuration and the tokenizer (which cuts the calibration windows).
     */
    static Map<String, String> learnedFrom(Path model) {
        try {
            Map<String, String> digests = new LinkedHashMap<>(InputDigests.checkpoint(model));
            digests.remove(NOT_LEARNED_FROM);
            return digests;
        } catch (IOException e) {
            throw new InvalidInputException("model directory " + model + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** Refuses a file that {@link #write} could not make, before any learning: its directory must exist. */
    static void checkWritable(Path file) {
        Path directory = file.toAbsolutePath().getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw refused(file, "directory " + directory + " does not exist");
        }
    }

    /**
     * Writes {@code matrices} to {@code file} in one step (no partial file), with what they were
     * learned under: {@code recipe}, the checkpoint in directory {@code model} and its shape {@code config}.
     */
    static void write(Path file, Recipe recipe, ModelConfig config, Path model, List<Tensor> matrices) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("version", VERSION);
        metadata.put("recipe", JsonWriter.write(learnedUnder(recipe)));
        metadata.put("model", JsonWriter.write(shapeOf(config)));
        metadata.put("checkpoint", JsonWriter.write(learnedFrom(model)));
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < matrices.size(); i++) {
            Tensor m = matrices.get(i);
            double[] values = Tensors.toDoubles(m);
            tensors.add(new SafetensorsWriter.Tensor(MATRIX + i, "F64", Tensors.shape(m), 8L * values.length, out -> {
                ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asDoubleBuffer().put(values);
                SafetensorsWriter.writeFully(out, bytes);
            }));
        }
        try {
            SafetensorsWriter.write(file, metadata, tensors, 8);
        } catch (IOException e) {
            throw refused(file, "cannot write it (" + e + ")");
        }
    }

    /**
     * The matrices in {@code file}, float64 on {@code device} (in the caller's scope), after checking
     * that they were learned under {@code recipe}'s settings from the checkpoint in directory
     * {@code model}, of {@code config}'s shape.
     */
    static List<Tensor> read(Path file, Recipe recipe, ModelConfig config, Path model, Device device) {
        try (SafetensorsFile in = SafetensorsFile.open(file); FileChannel channel = FileChannel.open(file)) {
            Map<String, String> metadata = in.metadata();
            if (!isRotationsFile(metadata)) {
                throw refused(file, "not a rotations file (its format is '" + metadata.get("format") + "')");
            }
            if (!VERSION.equals(metadata.get("version"))) {
                throw refused(file, "a rotations file of version " + metadata.get("version") + "; this compiler reads version "
                        + VERSION);
            }
            compare(file, "learned for a model with", parsed(file, metadata.get("model")), shapeOf(config), "this model has");
            compare(file, "learned with", parsed(file, metadata.get("recipe")), learnedUnder(recipe), "this recipe has");
            compareCheckpoint(file, parsed(file, metadata.get("checkpoint")), learnedFrom(model));
            List<Tensor> matrices = new ArrayList<>();
            for (int i = 0; in.entries().containsKey(MATRIX + i); i++) {
                SafetensorsFile.Entry entry = in.entries().get(MATRIX + i);
                if (!entry.dtype().equals("F64")) {
                    throw refused(file, "tensor '" + entry.name() + "' is " + entry.dtype() + ", not F64");
                }
                ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(entry.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
                while (bytes.hasRemaining()) {
                    if (channel.read(bytes, in.dataStart() + entry.start() + bytes.position()) < 0) {
                        throw refused(file, "ends inside tensor '" + entry.name() + "'");
                    }
                }
                double[] values = new double[Math.toIntExact(entry.numel())];
                bytes.flip().asDoubleBuffer().get(values);
                matrices.add(Tensors.doubles(values, entry.shape()).to(device, ScalarType.Double));
            }
            if (matrices.isEmpty()) {
                throw refused(file, "holds no matrix");
            }
            return matrices;
        } catch (SafetensorsException e) {
            throw refused(file, e.getMessage());
        } catch (IOException e) {
            throw refused(file, "cannot read (" + e.getMessage() + ")");
        }
    }

    /** Refuses matrices that are not, in number and shapes, the ones {@code expected} (a file changed by hand). */
    static void checkShapes(Path file, List<Tensor> matrices, List<long[]> expected) {
        if (matrices.size() != expected.size()) {
            throw refused(file, "holds " + matrices.size() + " matrices where the recipe's method has " + expected.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            long[] shape = Tensors.shape(matrices.get(i));
            if (!Arrays.equals(shape, expected.get(i))) {
                throw refused(file, MATRIX + i + " is " + Arrays.toString(shape) + " where the recipe's method has "
                        + Arrays.toString(expected.get(i)));
            }
        }
    }

    /** Refuses the first key whose value differs, naming it as the front end names the setting. */
    private static void compare(Path file, String learned, Map<String, String> recorded, Map<String, String> now,
            String here) {
        Set<String> keys = new TreeSet<>(recorded.keySet());
        keys.addAll(now.keySet());
        for (String key : keys) {
            if (!Objects.equals(recorded.get(key), now.get(key))) {
                String name = RecipeParameter.ofJsonKey(key).map(RecipeParameter::named).orElse(key);
                throw refused(file, learned + " " + name + " " + recorded.get(key) + ", " + here + " " + now.get(key)
                        + " (remove the file to learn again)");
            }
        }
    }

    /** Refuses matrices learned from other checkpoint files, naming the first file that differs. */
    private static void compareCheckpoint(Path file, Map<String, String> recorded, Map<String, String> now) {
        Set<String> names = new TreeSet<>(recorded.keySet());
        names.addAll(now.keySet());
        for (String name : names) {
            if (!Objects.equals(recorded.get(name), now.get(name))) {
                throw refused(file, "learned from a checkpoint whose " + name + " " + described(recorded.get(name))
                        + ", this checkpoint's " + described(now.get(name)) + " (remove the file to learn again)");
            }
        }
    }

    private static String described(String digest) {
        return digest == null ? "is absent" : "has sha256 " + digest.substring(0, 12) + "…";
    }

    private static Map<String, String> parsed(Path file, String json) {
        if (json == null) {
            throw refused(file, "its metadata says nothing of what it was learned under");
        }
        try {
            Map<String, String> out = new LinkedHashMap<>();
            Json.parseObject(json).forEach((key, value) -> out.put(key, String.valueOf(value)));
            return out;
        } catch (JsonException e) {
            throw refused(file, "unreadable metadata (" + e.getMessage() + ")");
        }
    }

    private static InvalidInputException refused(Path file, String why) {
        return new InvalidInputException(ROTATIONS.named() + " " + file + ": " + why);
    }
}
