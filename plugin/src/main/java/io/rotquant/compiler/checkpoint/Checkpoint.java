package io.rotquant.compiler.checkpoint;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Hugging Face model directory: {@code config.json}, {@code tokenizer.json} and the weights,
 * either {@code model.safetensors} or shards listed in {@code model.safetensors.index.json}.
 * Every header is validated on open; tensor shapes are checked against the config on lookup.
 */
public final class Checkpoint {
    private static final String INDEX = "model.safetensors.index.json";
    private static final String SINGLE = "model.safetensors";

    private final Path directory;
    private final ModelConfig config;
    private final Map<String, TensorEntry> tensors;

    private Checkpoint(Path directory, ModelConfig config, Map<String, TensorEntry> tensors) {
        this.directory = directory;
        this.config = config;
        this.tensors = tensors;
    }

    public static Checkpoint open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new InvalidInputException(directory + ": model directory not found");
        }
        ModelConfig config = ModelConfig.load(directory.resolve("config.json"));
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Path index = directory.resolve(INDEX);
        if (Files.exists(index)) {
            for (Path shard : shards(index)) {
                SafetensorsHeader.read(shard).forEach(t -> tensors.put(t.name(), t));
            }
        } else if (Files.exists(directory.resolve(SINGLE))) {
            SafetensorsHeader.read(directory.resolve(SINGLE)).forEach(t -> tensors.put(t.name(), t));
        } else {
            throw new InvalidInputException(directory + ": no " + SINGLE + " or " + INDEX + " in the model directory");
        }
        return new Checkpoint(directory, config, tensors);
    }

    private static TreeSet<Path> shards(Path index) {
        JsonObject json;
        try {
            json = JsonObject.parse(index.toString(), Files.readString(index));
        } catch (IOException e) {
            throw new InvalidInputException(index + ": cannot read (" + e.getMessage() + ")");
        } catch (JsonException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        TreeSet<Path> shards = new TreeSet<>();
        try {
            JsonObject map = json.object("weight_map");
            for (String tensor : map.members().keySet()) {
                String shardName = map.string(tensor);
                Path shard = index.resolveSibling(shardName).normalize();
                if (!shard.getParent().equals(index.getParent().normalize())) {
                    throw new InvalidInputException(index + ": field 'weight_map' points outside the model directory: " + shardName);
                }
                if (!Files.isRegularFile(shard)) {
                    throw new InvalidInputException(index + ": field 'weight_map' names shard '" + shardName + "', which is missing");
                }
                shards.add(shard);
            }
        } catch (JsonException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        return shards;
    }

    public Path directory() {
        return directory;
    }

    public ModelConfig config() {
        return config;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** The entry of a tensor that must exist with the shape the config implies. */
    public TensorEntry require(String name, long... shape) {
        TensorEntry entry = tensors.get(name);
        if (entry == null) {
            throw new InvalidInputException(directory + ": tensor '" + name + "' is missing from the checkpoint");
        }
        if (!Arrays.equals(entry.shape(), shape)) {
            throw new InvalidInputException(entry.file() + ": tensor '" + name + "' has shape " + entry.shapeString()
                    + " but config.json implies " + Arrays.toString(shape));
        }
        return entry;
    }
}
