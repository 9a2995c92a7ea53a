package io.rotquant.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's bundled model and the optional ../shared tree for tests. */
public final class TestPaths {
    private TestPaths() {
    }

    /** The repository root (the directory holding the reactor pom). */
    public static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("examples/models/stories260K"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    public static Path stories260K() {
        return repo().resolve("examples/models/stories260K");
    }

    /** A copy of stories260K's files in {@code dir} (created), for a test to change; returns {@code dir}. */
    public static Path copyOfStories260K(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        try (java.util.stream.Stream<Path> files = Files.list(stories260K())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    /** A path under ../shared, or the test is skipped with a message saying what is missing. */
    public static Path shared(String relative) {
        Path path = repo().resolveSibling("shared").resolve(relative);
        assumeTrue(Files.exists(path), "skipped: " + path + " is absent (../shared is not checked out beside the repo)");
        return path;
    }
}
