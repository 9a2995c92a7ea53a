package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.artifact.ArtifactWriter;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rotquant compile}: prepares a checkpoint by a recipe and writes the artifact the runtime runs. */
@Command(name = "compile", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Rotate and quantize a checkpoint, then write a rotquant artifact.")
final class CompileCommand implements Callable<Integer> {
    @Mixin
    ModelOptions options;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Artifact to write (atomically).")
    Path out;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Option(names = "--quiet", description = "No progress lines on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Recipe recipe = options.recipe();
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new InvalidInputException("--out " + out + ": directory " + parent + " does not exist");
        }
        ArtifactWriter.checkRecipe(recipe);
        long start = System.nanoTime();
        Map<String, String> digests = digests(options.model);
        try (PreparedModel prepared = options.open(recipe, line -> {
            if (!quiet) {
                System.err.println(line);
            }
        })) {
            long writeStart = System.nanoTime();
            ArtifactWriter.write(prepared, out, digests);
            double seconds = (System.nanoTime() - start) / 1e9;
            long bytes = Files.size(out);
            System.out.printf(Locale.ROOT, "wrote %s (%s, %.1f MB) in %.1f s (writing %.1f s)%n", out, recipe.label(),
                    bytes / 1e6, seconds, (System.nanoTime() - writeStart) / 1e9);
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("artifact", out.toString());
                result.put("bytes", bytes);
                result.put("ppl_fp", null);
                result.put("ppl_q", null);
                result.put("seconds", seconds);
                result.put("compile_phases", prepared.phaseSeconds());
                result.putAll(recipe.toJson());
                System.out.println(JsonWriter.write(result));
            }
        }
        return 0;
    }

    /** SHA-256 of config.json, tokenizer.json and every safetensors file of the checkpoint. */
    private static Map<String, String> digests(Path model) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(model)) {
            files = listing.filter(p -> {
                String name = p.getFileName().toString();
                return name.equals("config.json") || name.equals("tokenizer.json") || name.endsWith(".safetensors");
            }).sorted().toList();
        }
        for (Path file : files) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                out.put(file.getFileName().toString(), SafetensorsWriter.sha256(channel, 0, channel.size()));
            }
        }
        return out;
    }
}
