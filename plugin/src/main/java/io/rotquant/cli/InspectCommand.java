package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.json.JsonWriter;
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

/** {@code rotquant inspect}: validates an artifact and prints its metadata and tensor table. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Validate an artifact and describe it.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "A rotquant artifact.")
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
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("artifact", file.toString());
            out.put("bytes", Files.size(file));
            out.put("tensors", a.entries().size());
            a.metadata().forEach(out::put);
            out.forEach((k, v) -> System.out.println(k + ": " + v));
            if (tensors) {
                for (SafetensorsFile.Entry e : a.entries().values()) {
                    System.out.printf("  %-40s %-4s %s%n", e.name(), e.dtype(), Arrays.toString(e.shape()));
                }
            }
            if (json) {
                System.out.println(JsonWriter.write(out));
            }
        } catch (ArtifactException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        return 0;
    }
}
