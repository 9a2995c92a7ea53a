package io.rotquant.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Incremental decoding on stories260K's tokenizer, whose byte-fallback tokens split characters. */
class TextStreamTest {
    @Test
    void piecesAddUpToTheWholeDecodeAndNeverHoldHalfACharacter() {
        Tokenizer tokenizer = Tokenizer.load(TestPaths.stories260K().resolve("tokenizer.json"));
        String text = "Once upon a time, a café owner ☕ said «hi» to Zoë.";
        int[] ids = tokenizer.encode(text, false);
        // The test means something only if some character is spread over several byte tokens.
        assertThat(ids.length).isGreaterThan(tokenizer.encode("Once upon a time, a cafe owner said hi to Zoe.", false).length);
        TextStream stream = new TextStream(tokenizer);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(stream.push(id));
        }
        pieces.add(stream.flush());
        assertThat(pieces).noneMatch(p -> p.indexOf('\uFFFD') >= 0);
        assertThat(String.join("", pieces)).isEqualTo(tokenizer.decode(ids, true));
        assertThat(pieces).filteredOn(String::isEmpty).isNotEmpty();  // held back while a character was incomplete
    }
}
