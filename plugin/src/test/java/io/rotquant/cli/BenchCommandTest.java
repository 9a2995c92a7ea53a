package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The bench subcommand: compile phases, forward timings and peak memory in its JSON; --quiet. */
class BenchCommandTest {
    private static CliRun bench(String... extra) {
        String[] args = {"bench", "--model", TestPaths.stories260K().toString(), "--seqlen", "64", "--rotation", "hadamard",
                "--w-bits", "4", "--w-method", "gptq", "--nsamples", "2", "--warmup", "0", "--repeat", "2", "--json"};
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return CliRun.of(all);
    }

    @Test
    void reportsTheCompileByPhaseAndShowsItsProgressUnlessQuiet() {
        CliRun run = bench();
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonObject json = JsonObject.parse("stdout", run.lastLine());
        assertThat(json.object("compile_phases").number("gptq solve")).isPositive();
        assertThat(json.number("compile_seconds")).isGreaterThanOrEqualTo(json.object("compile_phases").number("gptq solve"));
        assertThat(json.integer("peak_rss_bytes")).isGreaterThan(10_000_000L);
        assertThat(json.number("min_seconds")).isLessThanOrEqualTo(json.number("median_seconds"));
        assertThat(json.number("max_seconds")).isGreaterThanOrEqualTo(json.number("median_seconds"));
        assertThat(json.number("tokens_per_second")).isCloseTo(json.integer("tokens") / json.number("median_seconds"),
                org.assertj.core.api.Assertions.withinPercentage(1e-6));
        assertThat(run.err()).contains("GPTQ layer 1/5 in").contains("prepared ");

        CliRun quiet = bench("--quiet");
        assertThat(quiet.exitCode()).as(quiet.err()).isZero();
        assertThat(quiet.err()).doesNotContain("GPTQ layer").doesNotContain("prepared ");
    }
}
