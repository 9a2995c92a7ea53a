package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOnlineCommandTest {
    @Test
    void timesBothKernelsForEverySizeAndTokenCountAndReportsTheCrossover() {
        CliRun run = CliRun.of("bench-online", "--sizes", "16,32,12", "--tokens", "1,3", "--warmup", "0", "--repeat", "1",
                "--budget", "0.01", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("| 12 (K=12) | 3 |", "| 32 | 1 |");
        JsonObject json = JsonObject.parse("bench-online output", run.lastLine());
        List<Object> rows = json.array("rows");
        assertThat(rows).hasSize(6);
        for (Object row : rows) {
            Map<?, ?> r = (Map<?, ?>) row;
            assertThat(((Number) r.get("wht_seconds")).doubleValue()).isPositive();
            assertThat(((Number) r.get("matmul_seconds")).doubleValue()).isPositive();
        }
        // The crossover is read off the command's own rows: the largest power-of-two size (12 is not
        // one) whose matmul was no slower than its WHT, else 0.
        JsonObject crossover = json.object("crossover");
        for (int tokens : new int[] {1, 3}) {
            long expected = rows.stream().map(r -> (Map<?, ?>) r)
                    .filter(r -> ((Number) r.get("tokens")).intValue() == tokens)
                    .filter(r -> Integer.bitCount(((Number) r.get("size")).intValue()) == 1)
                    .filter(r -> ((Number) r.get("matmul_seconds")).doubleValue() <= ((Number) r.get("wht_seconds")).doubleValue())
                    .mapToLong(r -> ((Number) r.get("size")).longValue()).max().orElse(0);
            assertThat(crossover.integer(String.valueOf(tokens))).isEqualTo(expected);
        }
    }

    @Test
    void refusesATokenCountAndASizeItCannotRun() {
        CliRun zero = CliRun.of("bench-online", "--tokens", "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err().strip()).isEqualTo("rotquant: error: --tokens: 0 is not a positive token count");
        CliRun odd = CliRun.of("bench-online", "--sizes", "100");
        assertThat(odd.exitCode()).isEqualTo(2);
        assertThat(odd.err().strip()).startsWith("rotquant: error: ").contains("--sizes").contains("100").doesNotContain("\n");
    }
}
