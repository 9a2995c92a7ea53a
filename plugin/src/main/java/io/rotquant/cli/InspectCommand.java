package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.learn.RotationsFile;
import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.json.JsonWriter;
import io.rotquant.runtime.model.Session;
import io.rotquant.runtime.safetensors.SafetensorsException;
import io.rotquant.runtime.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rotquant inspect}: validates an artifact and prints its metadata and tensor table; a file
 * of kept rotations ({@code --rotations}) gets its metadata (what it was learned under) and matrices.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Validate an artifact (or a file of kept rotations, or a saved session) and describe it.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE",
            description = "A rotquant artifact, a file of kept rotations, or a saved session.")
    Path file;

    @Option(names = "--tensors", description = "List every tensor.")
    boolean tensors;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": file not found");
        }
        try (Artifact a = Artifact.open(file)) {
            describe("artifact", a.metadata(), a.entries());
        } catch (ArtifactException e) {
            if (!describedAsOtherFile()) {
                throw new InvalidInputException(e.getMessage(), e);
            }
        }
        return 0;
    }

    /** Describes the file when it is safetensors that keeps learned rotations or a session; false otherwise. */
    private boolean describedAsOtherFile() throws java.io.IOException {
        try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
            Map<String, String> metadata = safetensors.metadata();
            String kind = RotationsFile.isRotationsFile(metadata) ? "rotations"
                    : Session.isSavedSession(metadata) ? "session" : null;
            if (kind == null) {
                return false;
            }
            describe(kind, metadata, safetensors.entries());
            return true;
        } catch (SafetensorsException e) {
            return false;  // the artifact reader's message says what is wrong with it
        }
    }

    private void describe(String kind, Map<String, String> metadata, Map<String, SafetensorsFile.Entry> entries)
            throws java.io.IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(kind, file.toString());
        out.put("bytes", Files.size(file));
        out.put("tensors", entries.size());
        metadata.forEach(out::put);
        out.forEach((k, v) -> System.out.println(k + ": " + v));
        if (tensors) {
            for (SafetensorsFile.Entry e : entries.values()) {
                System.out.printf("  %-40s %-4s %s%n", e.name(), e.dtype(), Arrays.toString(e.shape()));
            }
        }
        if (json) {
            System.out.println(JsonWriter.write(out));
        }
    }
}
