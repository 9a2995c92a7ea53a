package io.rotquant.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildTimestampTest {
    @TempDir
    Path dir;

    @Test
    void acceptsIsoWithOffsetAndEpochSecondsAndTreatsUnsetAsNone() {
        assertThat(BuildTimestamp.parse("2026-11-24T00:00:00Z")).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(BuildTimestamp.parse("2026-11-24T01:00:00+01:00")).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(BuildTimestamp.parse("1763942400")).isEqualTo(Instant.ofEpochSecond(1763942400));
        assertThat(BuildTimestamp.parse(null)).isNull();
        assertThat(BuildTimestamp.parse("a")).isNull();
        assertThatThrownBy(() -> BuildTimestamp.parse("yesterday")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("project.build.outputTimestamp 'yesterday'");
    }

    @Test
    void setsTheFileModificationTime() throws Exception {
        Path file = Files.writeString(dir.resolve("a.rqm"), "x");
        BuildTimestamp.apply("2026-11-24T00:00:00Z", file);
        assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
    }
}
