package io.rotquant.cli;

import io.rotquant.compiler.InputText;
import io.rotquant.compiler.InvalidInputException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The evaluation text of perplexity subcommands and how much of it to use. */
final class TextOptions {
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Text file, evaluated as one text.")
    Path data;

    @Option(names = "--windows", defaultValue = "0", paramLabel = "N", description = "Evaluate only the first N windows.")
    int windows;

    /** The whole file as UTF-8 text, after checking the options. */
    String read() {
        if (windows < 0) {
            throw new InvalidInputException("--windows must be positive, got " + windows);
        }
        return InputText.read(data, "--data");
    }
}
