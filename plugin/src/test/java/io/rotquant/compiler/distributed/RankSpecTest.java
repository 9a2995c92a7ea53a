package io.rotquant.compiler.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankSpecTest {
    @Test
    void aJobOfSeveralRanksNeedsTheRendezvousAddress() {
        RankSpec spec = RankSpec.of(1, 3, "build-01.example.com:29500");
        assertThat(spec.host()).isEqualTo("build-01.example.com");
        assertThat(spec.port()).isEqualTo(29500);
        assertThat(spec.label()).isEqualTo("rank 1/3");
        assertThat(spec.single()).isFalse();
        assertThat(RankSpec.of(0, 1, null).single()).isTrue();
        assertThat(RankSpec.of(0, 1, "127.0.0.1:29500").single()).as("a job of one, to measure the distributed path")
                .isFalse();

        assertThatThrownBy(() -> RankSpec.of(0, 2, null)).isInstanceOf(InvalidInputException.class)
                .hasMessage("--world-size 2 needs --master HOST:PORT (rank 0's address)");
        assertThatThrownBy(() -> RankSpec.of(0, 2, "host")).hasMessageStartingWith("--master host: expected HOST:PORT");
        assertThatThrownBy(() -> RankSpec.of(0, 2, "host:70000")).hasMessageStartingWith("--master host:70000");
        assertThatThrownBy(() -> RankSpec.of(2, 2, "host:1")).hasMessage("--rank 2 is outside 0..1 (--world-size 2)");
        assertThatThrownBy(() -> RankSpec.of(0, 0, null)).hasMessage("--world-size must be at least 1, got 0");
    }

    @Test
    void aGroupOfOneSharesEverythingWithItselfAndItsCollectivesChangeNothing() {
        RankGroup alone = RankGroup.current();
        List<Integer> all = List.of(1, 2, 3);
        assertThat(alone.single()).isTrue();
        assertThat(alone.leader()).isTrue();
        assertThat(alone.share(all)).isSameAs(all);
        assertThat(alone.firstRow(10, 0)).isZero();
        assertThat(alone.firstRow(10, 1)).isEqualTo(10);
        assertThat(alone.sum(2.5)).isEqualTo(2.5);
    }
}
