package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM during rotation training: the CLI stops at the next step and exits cleanly (no JVM crash log). */
class CancellationTest {
    @TempDir
    Path dir;

    @Test
    void aTerminatedTrainingRunStopsAtAStepAndLeavesNoCrashLog() throws Exception {
        Path errFile = dir.resolve("stderr.txt");
        String data = TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString();
        Process process = new ProcessBuilder(ChildJvm.command(List.of(
                "eval", "--model", TestPaths.stories260K().toString(), "--data", data, "--rotation", "spinquant",
                "--iters", "110", "--train-batch", "1", "--train-seqlen", "128", "--w-bits", "4", "--w-method", "rtn",
                "--a-bits", "4", "--kv-bits", "4", "--calibration", data, "--nsamples", "8", "--seqlen", "128",
                "--threads", "1")))
                .directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(errFile.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(errFile).contains("spinquant: iter ") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("exited").isTrue();
            List<String> err = Files.readAllLines(errFile);
            assertThat(process.exitValue()).as("exit code; stderr %s", err).isEqualTo(143);
            assertThat(err).as("stderr").contains("rotquant: cancelled").noneMatch(l -> l.contains("fatal error"));
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err"));
            }
        } finally {
            process.destroyForcibly();
        }
    }
}
