package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LocalRanksTest {
    @Test
    void eachRankGetsTheCommandLessNprocWithItsPlaceItsShareOfTheCoresAndOnCudaItsOwnCard() {
        List<String> args = List.of("compile", "--model", "m", "--nproc", "2", "--threads=8", "--device", "cuda",
                "--w-bits", "4", "--rank", "0", "--world-size=1");
        assertThat(LocalRanks.rankArgs(args, 1, 2, 29500, "cuda", 4)).containsExactly("compile", "--model", "m",
                "--w-bits", "4", "--device", "cuda:1", "--threads", "4", "--rank", "1", "--world-size", "2", "--master",
                "127.0.0.1:29500");
        assertThat(LocalRanks.rankArgs(List.of("compile", "--nproc=3"), 0, 3, 1234, "cpu", 1)).containsExactly(
                "compile", "--device", "cpu", "--threads", "1", "--rank", "0", "--world-size", "3", "--master",
                "127.0.0.1:1234");
    }

    @Test
    void nprocAndWorldSizeTogetherAreRefusedInOneLine() {
        CliRun run = CliRun.of("compile", "--model", "m", "--out", "x.rqm", "--nproc", "2", "--world-size", "2");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo(
                "rotquant: error: --nproc 2 starts a job on this machine and --world-size 2 joins one: give one of them");
    }
}
