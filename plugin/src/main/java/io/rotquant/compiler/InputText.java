package io.rotquant.compiler;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A text input file read whole as UTF-8, each failure one line naming the parameter and the file. */
public final class InputText {
    private InputText() {
    }

    public static String read(Path file, String parameter) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(parameter + " " + file + ": file not found");
        } catch (MalformedInputException e) {
            throw new InvalidInputException(parameter + " " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new InvalidInputException(parameter + " " + file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
