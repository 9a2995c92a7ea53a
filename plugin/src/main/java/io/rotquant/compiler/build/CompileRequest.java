package io.rotquant.compiler.build;

import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.Recipe;
import java.nio.file.Path;

/**
 * Everything a compilation reads and writes besides the recipe: the checkpoint directory, the
 * artifact to write, the held-out text evaluated before writing (null: no evaluation) and how many
 * of its windows (0: all), the report directory (null: no report), and how the artifact stores the
 * embedding and the LM head ({@code headBits}: 16 for F16, 8 for int8 rows with a scale each, 4 for 4-bit codes with a scale per group).
 */
public record CompileRequest(Path model, Recipe recipe, ComputeDType dtype, Path out, Path evalData, int evalWindows,
        Path reportDir, int headBits) {
}
