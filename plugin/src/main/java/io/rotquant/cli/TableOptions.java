package io.rotquant.cli;

import static io.rotquant.compiler.recipe.RecipeParameter.ROTATIONS;

import io.rotquant.compiler.InvalidInputException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Output and resumption of the commands that fill a table of long-running cells (compare, ablate). */
final class TableOptions {
    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Keep each finished cell in FILE and skip the cells it already holds (a long table survives a restart).")
    Path resume;

    @Option(names = "--jobs", defaultValue = "1", paramLabel = "N",
            description = "Cells measured at once, each by its own process on the same device (for a GPU that one "
                    + "small cell leaves partly idle); needs --resume, where they are gathered "
                    + "(default: ${DEFAULT-VALUE}).")
    int jobs;

    /** Refuses, before any work, a {@code --jobs} that cannot run and a rotations file (one recipe's, where a table has many). */
    void check(ModelOptions options) {
        if (options.rotations != null) {
            throw new InvalidInputException(ROTATIONS.named() + " keeps the rotations of one recipe, and a table learns one "
                    + "per cell: keep them with eval or compile, one cell at a time");
        }
        if (jobs < 1) {
            throw new InvalidInputException("--jobs must be at least 1, got " + jobs);
        }
        if (jobs > 1 && resume == null) {
            throw new InvalidInputException("--jobs " + jobs + " needs --resume FILE: the cells' processes gather their "
                    + "figures there");
        }
    }

    /**
     * The cells measured under {@code protocol} on this machine (see {@link TableMachine}), from the
     * resume file when there is one. Sets up LibTorch for {@code options}.
     */
    CompareResults results(ModelOptions options, Map<String, Object> protocol) {
        options.initTorch();
        return CompareResults.open(resume, protocol, TableMachine.current(options.computeType().effective().label()));
    }
}
