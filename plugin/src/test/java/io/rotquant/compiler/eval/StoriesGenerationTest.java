package io.rotquant.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.TestPaths;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The FP forward reproduces stories260K's documented greedy story (llama2.c, 256 steps from BOS). */
class StoriesGenerationTest {

    @Test
    void greedyStoryFromBosMatchesTheDocumentedOutput() throws Exception {
        String source = Files.readString(TestPaths.stories260K().resolve("SOURCE.md"));
        Matcher block = Pattern.compile("## The documented greedy story.*?```\\n(.*?)```", Pattern.DOTALL).matcher(source);
        assertThat(block.find()).as("documented story block in SOURCE.md").isTrue();
        String documented = block.group(1).strip();

        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), RotationKind.NONE, 0)) {
            int bos = prepared.checkpoint().config().bosTokenId();
            // llama2.c -n 256: 256 tokens generated after BOS.
            int[] ids = GreedyGenerator.generate(prepared.model(), new int[] {bos}, 256);
            String text = prepared.tokenizer().decode(ids);
            assertThat(text.strip()).isEqualTo(documented);
            int[] expectedIds = prepared.tokenizer().encode(documented);
            assertThat(ids).startsWith(java.util.Arrays.copyOf(expectedIds, 40));
        }
    }
}
