package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.model.Generation;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How the runtime picks tokens: the budget, sampling, stop strings and seed of {@code run} and {@code chat}. */
final class SamplingOptions {
    @Option(names = "--max-tokens", defaultValue = "128", paramLabel = "N", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Sample among the K most likely tokens, 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--min-p", defaultValue = "0", paramLabel = "P", description = "Drop tokens less likely than P × the most likely (default: ${DEFAULT-VALUE}).")
    double minP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0", paramLabel = "R",
            description = "Penalty on tokens already in the prompt or output, 1 = none (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output contains TEXT (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Refuses a bad value in one line naming its option. */
    void check() {
        require(maxTokens >= 1, "--max-tokens " + maxTokens + ": must be positive");
        require(temperature >= 0, "--temperature " + temperature + ": must be >= 0");
        require(topP > 0 && topP <= 1, "--top-p " + topP + ": must be in (0, 1]");
        require(topK >= 0, "--top-k " + topK + ": must be >= 0");
        require(minP >= 0 && minP <= 1, "--min-p " + minP + ": must be in [0, 1]");
        require(repetitionPenalty >= 1, "--repetition-penalty " + repetitionPenalty + ": must be >= 1");
        require(stop.stream().noneMatch(String::isEmpty), "--stop: a stop string must not be empty");
    }

    /** {@code generation} with these settings, each decoded piece printed to stdout as it comes. */
    Generation printing(Generation generation) {
        return generation.maxTokens(maxTokens).temperature(temperature).topP(topP).topK(topK).minP(minP)
                .repetitionPenalty(repetitionPenalty).stopStrings(stop.toArray(String[]::new)).seed(seed)
                .onToken((token, piece) -> {
                    System.out.print(piece);
                    System.out.flush();
                });
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new InvalidInputException(message);
        }
    }
}
