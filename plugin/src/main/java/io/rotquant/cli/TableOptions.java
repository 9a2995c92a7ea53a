package io.rotquant.cli;

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

    /**
     * The cells measured under {@code protocol} on this machine (see {@link TableMachine}), from the
     * resume file when there is one. Sets up LibTorch for {@code options}.
     */
    CompareResults results(ModelOptions options, Map<String, Object> protocol) {
        options.initTorch();
        return CompareResults.open(resume, protocol, TableMachine.current(options.computeType().effective().label()));
    }
}
