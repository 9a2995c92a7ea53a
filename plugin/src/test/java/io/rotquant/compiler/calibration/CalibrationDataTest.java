package io.rotquant.compiler.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CalibrationDataTest {
    private static final Tokenizer TOKENIZER = Tokenizer.load(TestPaths.stories260K().resolve("tokenizer.json"));
    /** A text of a few hundred tokens: it holds only a handful of 64-token windows. */
    private static final String TEXT = "Once upon a time there was a little girl named Lily. She liked to play in the park "
            .repeat(12);

    private static Set<String> distinct(List<long[]> windows) {
        Set<String> set = new HashSet<>();
        windows.forEach(w -> set.add(Arrays.toString(w)));
        return set;
    }

    @Test
    void trainingWindowsBeyondWhatTheTextHoldsComeAgainInEpochs() {
        int holds = TOKENIZER.encode(TEXT).length / 64;
        assertThat(holds).isBetween(2, 40);
        int count = 3 * holds + 1;
        List<long[]> windows = CalibrationData.epochs("text", TEXT, TOKENIZER, count, 64, 7, "--iters x --train-batch");
        assertThat(windows).hasSize(count);
        List<long[]> first = windows.subList(0, holds);
        // The first epoch is exactly the windows a plain draw gives; later epochs reuse them, reordered.
        assertThat(distinct(first)).isEqualTo(distinct(CalibrationData.windows("text", TEXT, TOKENIZER, holds, 64, 7)));
        assertThat(distinct(windows)).isEqualTo(distinct(first));
        assertThat(distinct(windows.subList(holds, 2 * holds))).isEqualTo(distinct(first));
        List<long[]> again = CalibrationData.epochs("text", TEXT, TOKENIZER, count, 64, 7, "--iters x --train-batch");
        for (int i = 0; i < count; i++) {
            assertThat(again.get(i)).isEqualTo(windows.get(i));
        }
    }

    @Test
    void aBudgetTheTextHoldsIsOnePlainDraw() {
        List<long[]> epochs = CalibrationData.epochs("text", TEXT, TOKENIZER, 2, 64, 3, "request");
        List<long[]> plain = CalibrationData.windows("text", TEXT, TOKENIZER, 2, 64, 3);
        assertThat(epochs.get(0)).isEqualTo(plain.get(0));
        assertThat(epochs.get(1)).isEqualTo(plain.get(1));
    }

    @Test
    void aTextShorterThanOneWindowIsOneLine() {
        assertThatThrownBy(() -> CalibrationData.epochs("text", "tiny", TOKENIZER, 8, 64, 0, "--iters 1 x --train-batch 8"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("--iters 1 x --train-batch 8 is more than text holds: ");
    }
}
