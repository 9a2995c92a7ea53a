package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles shared by two Gloo ranks on localhost against one process, on stories260K: the same
 * bytes for GPTQ and for kept rotations, a training step's loss and gradient norm in either memory mode, a DuaRot
 * perplexity within the seeds' spread, and a killed rank that stops the
 * job with one line naming it and no artifact.
 */
class DistributedCompileTest {
    private static final List<String> W4A4KV4 = List.of("--w-bits", "4", "--a-bits", "4", "--kv-bits", "4",
            "--nsamples", "8", "--seqlen", "256", "--threads", "1");

    @TempDir
    Path dir;

    private List<String> compile(Path out, String... recipe) {
        List<String> args = new ArrayList<>(List.of("compile", "--model", TestPaths.stories260K().toString(), "--out",
                out.toString(), "--quiet"));
        args.addAll(W4A4KV4);
        args.addAll(List.of(recipe));
        return args;
    }

    private static CliRun run(List<String> args) {
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as("exit code of %s; stderr %s", args, run.err()).isZero();
        return run;
    }

    @Test
    void gptqOnTwoRanksWritesTheBytesOfOneProcessAndOnlyRankZeroWrites() throws IOException {
        Path one = dir.resolve("one.rqm");
        Path shared = Files.createDirectories(dir.resolve("two"));
        run(compile(one, "--rotation", "hadamard", "--w-method", "gptq"));
        List<String> two = compile(shared.resolve("two.rqm"), "--rotation", "hadamard", "--w-method", "gptq");
        two.addAll(List.of("--nproc", "2"));
        run(two);

        assertThat(Files.mismatch(one, shared.resolve("two.rqm"))).as("first differing byte").isEqualTo(-1L);
        try (Stream<Path> written = Files.list(shared)) {
            assertThat(written.map(p -> p.getFileName().toString())).containsExactly("two.rqm");
        }
    }

    @Test
    void keptRotationsReadOnTwoRanksGiveTheBytesOfOneProcess() throws IOException {
        Path rotations = dir.resolve("duarot.safetensors");
        Path shared = Files.createDirectories(dir.resolve("two"));
        run(compile(dir.resolve("learned.rqm"), "--rotation", "duarot", "--w-method", "rtn", "--iters", "2",
                "--train-batch", "2", "--rotations", rotations.toString()));
        List<String> two = compile(shared.resolve("read.rqm"), "--rotation", "duarot", "--w-method", "rtn", "--iters",
                "2", "--train-batch", "2", "--rotations", rotations.toString(), "--nproc", "2");
        run(two);

        assertThat(Files.mismatch(dir.resolve("learned.rqm"), shared.resolve("read.rqm"))).as("first differing byte")
                .isEqualTo(-1L);
    }

    @Test
    void duaRotOnTwoRanksIsNearerToItsOneProcessRunThanAnotherSeedIs() throws IOException {
        double seed0 = duaRotPerplexity("one-0", 0, 1);
        double seed1 = duaRotPerplexity("one-1", 1, 1);
        double ranks = duaRotPerplexity("two-0", 0, 2);

        // The ranks' gradients are summed in another order, so the rotations agree to rounding, not bit for bit.
        assertThat(Math.abs(ranks - seed0)).as("two ranks %s, one process %s, seed 1 %s", ranks, seed0, seed1)
                .isLessThan(Math.abs(seed1 - seed0));
    }

    @Test
    void aTrainingStepOnTwoRanksHasTheLossAndGradientNormOfOneProcessInBothMemoryModes() throws Exception {
        // One step from the same start: what the ranks share (windows, loss, gradients) must add up
        // to one process's step, to rounding. Later steps would part by the objective's rounding
        // sensitivity, so only the first is compared.
        Map<String, double[]> steps = new LinkedHashMap<>();
        for (String memory : List.of("all", "layer")) {
            List<String> args = compile(dir.resolve(memory + ".rqm"), "--rotation", "duarot", "--w-method", "rtn",
                    "--iters", "1", "--train-batch", "4", "--train-memory", memory);
            args.remove("--quiet");
            steps.put(memory + ", one process", firstStep(run(args).err()));
            // The ranks are started here, not by --nproc (whose ranks print to this JVM's own stderr).
            List<Process> ranks = startRanks(args, dir.resolve(memory + "-rank"));
            try {
                for (Process rank : ranks) {
                    assertThat(rank.waitFor(120, TimeUnit.SECONDS)).as("%s: a rank ended", memory).isTrue();
                    assertThat(rank.exitValue()).as("%s: a rank's exit code", memory).isZero();
                }
            } finally {
                ranks.forEach(Process::destroyForcibly);
            }
            steps.put(memory + ", two ranks", firstStep(Files.readString(dir.resolve(memory + "-rank0.err"))));
        }
        double[] reference = steps.get("all, one process");
        steps.forEach((name, step) -> {
            assertThat(step[0]).as("%s: first step's loss", name).isCloseTo(reference[0], within(1e-4));
            assertThat(step[1]).as("%s: first step's gradient norm", name)
                    .isCloseTo(reference[1], withinPercentage(0.01));
        });
    }

    /** The loss and gradient norm of the log's first training step (rank 0's, on several ranks). */
    private static double[] firstStep(String log) {
        Matcher line = Pattern.compile("^(?:rank 0/\\d+: )?duarot: iter 1/1 loss (\\S+) grad norm (\\S+) ",
                Pattern.MULTILINE).matcher(log);
        assertThat(line.find()).as("a first step's line in %s", log).isTrue();
        return new double[] {Double.parseDouble(line.group(1)), Double.parseDouble(line.group(2))};
    }

    private double duaRotPerplexity(String name, int seed, int processes) throws IOException {
        Path report = dir.resolve(name);
        List<String> args = compile(dir.resolve(name + ".rqm"), "--rotation", "duarot", "--iters", "2",
                "--train-batch", "4", "--seed", Integer.toString(seed), "--eval-data",
                TestPaths.repo().resolve("examples/data/stories260K-samples.txt").toString(), "--eval-windows", "8",
                "--report", report.toString(), "--nproc", Integer.toString(processes));
        run(args);
        return JsonObject.parse("report.json", Files.readString(report.resolve("report.json"))).number("ppl_q");
    }

    @Test
    void aKilledRankStopsTheOtherRankWithOneLineThatNamesItAndNoArtifact() throws Exception {
        Path out = dir.resolve("killed.rqm");
        List<String> args = compile(out, "--rotation", "hadamard", "--w-method", "gptq");
        args.remove("--quiet");
        List<Process> ranks = startRanks(args, dir.resolve("rank"));
        try {
            Path rank1 = dir.resolve("rank1.err");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(rank1).contains("GPTQ layer 1/") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            ranks.get(1).destroyForcibly();
            assertThat(ranks.get(0).waitFor(120, TimeUnit.SECONDS)).as("rank 0 stopped").isTrue();

            List<String> errors = Files.readAllLines(dir.resolve("rank0.err")).stream()
                    .filter(l -> l.startsWith("rotquant: ")).toList();
            assertThat(ranks.get(0).exitValue()).as("rank 0's exit code; %s", errors).isEqualTo(1);
            assertThat(errors).singleElement().asString()
                    .startsWith("rotquant: error: rank 0/2: ")
                    .contains("rank 1 stopped without a word")
                    .endsWith("stopping without an artifact");
            assertThat(out).doesNotExist();
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("killed"));
            }
        } finally {
            ranks.forEach(Process::destroyForcibly);
        }
    }

    /** Two ranks of {@code args} on a free loopback port; rank r's stderr goes to {@code logs} + "r.err". */
    private static List<Process> startRanks(List<String> args, Path logs) throws IOException {
        String master = "127.0.0.1:" + LocalRanks.freePort();
        List<Process> ranks = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            List<String> rank = new ArrayList<>(args);
            rank.addAll(List.of("--rank", Integer.toString(r), "--world-size", "2", "--master", master));
            ranks.add(new ProcessBuilder(ChildJvm.command(rank)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(Path.of(logs + Integer.toString(r) + ".err").toFile()).start());
        }
        return ranks;
    }
}
