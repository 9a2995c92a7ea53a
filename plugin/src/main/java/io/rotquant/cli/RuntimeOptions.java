package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.artifact.Integrity;
import io.rotquant.runtime.model.RotQuantModel;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The artifact and thread count of the runtime commands, and loading with one-line errors. */
final class RuntimeOptions {
    @Option(names = "--artifact", required = true, paramLabel = "FILE", description = "A rotquant artifact.")
    Path artifact;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Worker threads (default: all cores).")
    int threads;

    @Option(names = "--trust-artifact", description = "Skip the SHA-256 of the artifact's data section at load"
            + " (its structure is still checked): for a file just written or verified.")
    boolean trusted;

    RotQuantModel load() {
        if (threads < 0) {
            throw new InvalidInputException("--threads must be 0 (all cores) or positive, got " + threads);
        }
        if (!Files.isRegularFile(artifact)) {
            throw new InvalidInputException("--artifact " + artifact + ": file not found");
        }
        try {
            return RotQuantModel.load(artifact, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads,
                    trusted ? Integrity.TRUSTED : Integrity.CHECKED);
        } catch (ArtifactException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    static void checkWindow(int window, RotQuantModel model) {
        if (window < 2 || window > model.spec().maxPositions()) {
            throw new InvalidInputException("--seqlen " + window + " must be between 2 and the artifact's context ("
                    + model.spec().maxPositions() + ")");
        }
    }
}
