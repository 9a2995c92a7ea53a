package io.rotquant.compiler.checkpoint;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** SHA-256 digests of the files a compilation reads, keyed by file name. */
public final class InputDigests {
    private InputDigests() {
    }

    /** config.json, tokenizer.json, tokenizer_config.json (the chat template) and every safetensors file, sorted by name. */
    public static Map<String, String> checkpoint(Path model) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(model)) {
            files = listing.filter(p -> {
                String name = p.getFileName().toString();
                return name.equals("config.json") || name.equals("tokenizer.json") || name.equals("tokenizer_config.json")
                        || name.endsWith(".safetensors");
            }).sorted().toList();
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("model directory " + model + " does not exist");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Path file : files) {
            out.put(file.getFileName().toString(), sha256(file));
        }
        return out;
    }

    /** As {@link #sha256(Path)}; a missing file is one line naming {@code parameter}. */
    public static String sha256(Path file, String parameter) throws IOException {
        try {
            return sha256(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(parameter + " " + file + ": file not found");
        }
    }

    public static String sha256(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return SafetensorsWriter.sha256(channel, 0, channel.size());
        }
    }
}
