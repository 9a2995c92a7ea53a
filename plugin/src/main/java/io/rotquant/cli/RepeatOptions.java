package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import picocli.CommandLine.Option;

/** Warm-up and timed runs of the benchmarks that take a median over repeats. */
final class RepeatOptions {
    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeat", defaultValue = "5", paramLabel = "N", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int repeat;

    /** Refuses a negative warm-up or fewer than one timed run, in one line. */
    void check() {
        if (warmup < 0 || repeat < 1) {
            throw new InvalidInputException("--warmup must be >= 0 and --repeat >= 1, got " + warmup + " and " + repeat);
        }
    }
}
