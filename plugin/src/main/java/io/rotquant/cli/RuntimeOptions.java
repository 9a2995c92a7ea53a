package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.model.RotQuantModel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loading an artifact for the runtime commands, with one-line errors. */
final class RuntimeOptions {
    private RuntimeOptions() {
    }

    static RotQuantModel load(Path artifact, int threads) {
        if (threads < 0) {
            throw new InvalidInputException("--threads must be 0 (all cores) or positive, got " + threads);
        }
        if (!Files.isRegularFile(artifact)) {
            throw new InvalidInputException("--artifact " + artifact + ": file not found");
        }
        try {
            return RotQuantModel.load(artifact, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
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
