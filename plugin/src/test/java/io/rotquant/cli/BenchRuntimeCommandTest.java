package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench-runtime} on a stories260K artifact: every figure it names is in its JSON, timed. */
class BenchRuntimeCommandTest {
    @TempDir
    Path dir;

    @Test
    void theJsonHasThePrefillTheForkInsteadOfItAndEachDecode() {
        Path artifact = dir.resolve("a.rqm");
        CliRun compile = CliRun.of("compile", "--model", TestPaths.stories260K().toString(), "--out", artifact.toString(),
                "--w-bits", "4", "--w-method", "rtn", "--quiet");
        assertThat(compile.exitCode()).as(compile.err()).isZero();

        CliRun bench = CliRun.of("bench-runtime", "--artifact", artifact.toString(), "--threads", "1", "--prefill", "40",
                "--contexts", "24,64", "--decode-tokens", "4", "--warmup", "0", "--repeat", "2", "--json");
        assertThat(bench.exitCode()).as(bench.err()).isZero();
        assertThat(bench.out()).contains("fork_at_40: ");
        JsonObject out = JsonObject.parse("stdout", bench.lastLine());
        for (String figure : new String[] {"prefill_40", "fork_at_40", "decode_at_24", "decode_at_64"}) {
            JsonObject timed = out.object(figure);
            assertThat(timed.integer("tokens")).as(figure).isEqualTo(figure.startsWith("decode") ? 4 : 40);
            assertThat(timed.number("min_seconds")).as(figure).isPositive()
                    .isLessThanOrEqualTo(timed.number("median_seconds"));
            assertThat(timed.number("max_seconds")).as(figure).isGreaterThanOrEqualTo(timed.number("median_seconds"));
        }
    }
}
