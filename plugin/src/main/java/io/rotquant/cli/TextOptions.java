package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
        try {
            return Files.readString(data);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("--data " + data + ": file not found");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidInputException("--data " + data + ": not UTF-8 text");
        } catch (IOException e) {
            throw new InvalidInputException("--data " + data + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
