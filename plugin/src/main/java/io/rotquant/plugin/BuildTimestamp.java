package io.rotquant.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * {@code project.build.outputTimestamp} (ISO-8601 with offset, or seconds since the epoch, as
 * Maven's reproducible builds accept) applied to an output file's modification time.
 */
final class BuildTimestamp {
    private BuildTimestamp() {
    }

    /** The instant {@code value} names, or null when it is unset or a single character (Maven's "disabled"). */
    static Instant parse(String value) {
        if (value == null || value.length() < 2) {
            return null;
        }
        if (value.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochSecond(Long.parseLong(value));
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new io.rotquant.compiler.InvalidInputException("project.build.outputTimestamp '" + value
                    + "' is neither ISO-8601 with an offset nor seconds since the epoch", e);
        }
    }

    static void apply(String value, Path file) throws IOException {
        Instant instant = parse(value);
        if (instant != null) {
            Files.setLastModifiedTime(file, FileTime.from(instant));
        }
    }
}
