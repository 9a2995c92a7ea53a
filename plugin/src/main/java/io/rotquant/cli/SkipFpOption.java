package io.rotquant.cli;

import picocli.CommandLine.Option;

/**
 * Whether a command leaves out the full-precision reference it would otherwise measure beside the
 * quantized model: the one definition of {@code --skip-fp} for eval, compare and ablate. A table
 * split over several processes measures its FP row once, not once per process.
 */
final class SkipFpOption {
    @Option(names = "--skip-fp", description = "Do not evaluate the FP model too (a table's FP row then shows what "
            + "its --resume file holds, or is left out).")
    boolean skipFp;
}
