package io.rotquant.cli;

import static io.rotquant.compiler.recipe.RecipeParameter.ROTATIONS;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.runtime.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Files;
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

    @Option(names = "--keep-rotations", paramLabel = "DIR",
            description = "Keep each learned cell's matrices in DIR, a file per cell (as --rotations does for one recipe): "
                    + "a cell prepared again (more figures, a rerun) reads them instead of learning.")
    Path keepRotations;

    /** Refuses, before any work, a {@code --jobs} that cannot run and a rotations file (one recipe's, where a table has many). */
    void check(ModelOptions options) {
        if (options.rotations != null) {
            throw new InvalidInputException(ROTATIONS.named() + " keeps the rotations of one recipe, and a table learns one "
                    + "per cell: --keep-rotations DIR keeps each cell's");
        }
        if (keepRotations != null) {
            try {
                Files.createDirectories(keepRotations);
            } catch (IOException e) {
                throw new InvalidInputException("--keep-rotations " + keepRotations + ": cannot make the directory (" + e + ")");
            }
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
     * {@code recipe} with its learned matrices kept under {@code --keep-rotations}, in a file named by
     * the method, the seed and a digest of the whole recipe and the checkpoint's directory (the file
     * itself refuses other checkpoint files); as it is without the option or for a fixed rotation.
     * The cell's key and the table's protocol do not include the file.
     */
    Recipe keeping(Path model, Recipe recipe) {
        if (keepRotations == null || !recipe.rotation().learned()) {
            return recipe;
        }
        String name = recipe.rotation().label() + "-seed" + recipe.seed() + "-"
                + CellJobs.digest(model.toAbsolutePath().normalize() + "\n" + JsonWriter.write(recipe.toJson())) + ".safetensors";
        return recipe.withTraining(recipe.training().withRotations(keepRotations.resolve(name)));
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
