package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The recipe as command-line flags: the one parser of recipe flags (the CLI's own options) made
 * available to callers that hold flags rather than a parsed command line, such as the Mojos,
 * which hand the same flags to a forked compiler.
 */
public final class RecipeFlags {
    private RecipeFlags() {
    }

    @Command(name = "recipe")
    private static final class Holder {
        @Mixin
        ModelOptions options;
    }

    /** A parsed and validated recipe with the dtype, device and threads the flags name. */
    public record Parsed(Recipe recipe, ComputeDType dtype, String device, int threads) {
    }

    /** Parses {@code flags} (recipe flags plus --dtype/--device/--threads) for the model in {@code model}. */
    public static Parsed parse(Path model, List<String> flags) {
        List<String> args = new ArrayList<>(List.of("--model", model.toString()));
        args.addAll(flags);
        Holder holder = new Holder();
        try {
            new CommandLine(holder).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        ModelOptions o = holder.options;
        return new Parsed(o.recipe(), o.computeType(), o.where.device, o.where.threads);
    }

    /**
     * The recipe that a command line's own recipe flags give once {@code overrides} are applied
     * after them: a later value replaces an earlier one, and the command's other options are ignored.
     */
    static Recipe withOverrides(List<String> args, List<String> overrides) {
        List<String> all = new ArrayList<>(args);
        all.addAll(overrides);
        Holder holder = new Holder();
        try {
            new CommandLine(holder).setUnmatchedArgumentsAllowed(true).setOverwrittenOptionsAllowed(true)
                    .parseArgs(all.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        return holder.options.recipe();
    }
}
