package io.rotquant.compiler.zeroshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.model.LayerWeights;
import io.rotquant.compiler.model.QuantizedLayer;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZeroShotTest {

    @Test
    void theModelPrefersItsOwnStoryOverScrambledText(@TempDir Path dir) throws IOException {
        // Items built from stories260K's own greedy story against gibberish of the same length.
        Files.createDirectories(dir.resolve("llm-foundry-eval"));
        Files.writeString(dir.resolve("llm-foundry-eval/piqa.jsonl"),
                "{\"query\": \"Question: Once upon a time, there was a little girl named\\n\", "
                        + "\"choices\": [\"Lily.\", \"Zqxv.\"], \"gold\": 0}\n"
                        + "{\"query\": \"Question: She loved to play outside in the\\n\", "
                        + "\"choices\": [\"qzjx.\", \"park.\"], \"gold\": 1}\n");
        Files.writeString(dir.resolve("llm-foundry-eval/lambada_openai.jsonl"),
                "{\"context\": \"Once upon a time, there was a little girl named\", \"continuation\": \"Lily\"}\n");
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), RotationKind.NONE, 0)) {
            ZeroShotEvaluator evaluator = new ZeroShotEvaluator(prepared.model(), prepared.tokenizer());
            TaskResult piqa = evaluator.evaluate(ZeroShotTask.PIQA, ZeroShotTask.PIQA.load(dir, 0));
            assertThat(piqa.count()).isEqualTo(2);
            assertThat(piqa.acc()).isEqualTo(1.0);
            assertThat(piqa.accNorm()).isEqualTo(1.0);
            TaskResult lambada = evaluator.evaluate(ZeroShotTask.LAMBADA, ZeroShotTask.LAMBADA.load(dir, 0));
            assertThat(lambada.acc()).isEqualTo(1.0);
            assertThat(lambada.accNorm()).isNaN();
        }
    }

    @Test
    void continuationTokensComeFromTheJointEncoding() {
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), RotationKind.NONE, 0)) {
            ZeroShotEvaluator evaluator = new ZeroShotEvaluator(prepared.model(), prepared.tokenizer());
            double[] likely = evaluator.score(new Choice("Once upon a time", ", there was", 11));
            double[] unlikely = evaluator.score(new Choice("Once upon a time", " zzq xqv", 8));
            assertThat(likely[0]).isNegative().isGreaterThan(unlikely[0]);
            assertThat(likely[1]).isEqualTo(1.0);
            assertThat(unlikely[1]).isZero();
        }
    }

    @Test
    void scoringInPaddedBatchesGivesEachSequenceItsOwnScore() {
        // W4A4KV4: if padding leaked through attention or a quantizer's groups, batched scores would move.
        Recipe w4a4 = Recipe.FP.withRotation(RotationKind.HADAMARD, 0).withWeights(4, WeightMethod.RTN, 0, true)
                .withActivations(4, 1.0, 4, 1.0);
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), w4a4)) {
            ZeroShotEvaluator evaluator = new ZeroShotEvaluator(prepared.model(), prepared.tokenizer());
            List<Choice> choices = List.of(new Choice("Once upon a time", ", there was a little girl named Lily", 1),
                    new Choice("Tom", " ran", 1), new Choice("The sun was hot. The dog", " slept under the big tree", 1),
                    new Choice("She said", " no", 1));
            List<double[]> batched = evaluator.scoreAll(choices);
            for (int i = 0; i < choices.size(); i++) {
                double[] alone = evaluator.score(choices.get(i));
                assertThat(batched.get(i)[0]).as("choice %d", i).isCloseTo(alone[0], org.assertj.core.data.Percentage.withPercentage(1e-3));
                assertThat(batched.get(i)[1]).as("choice %d greedy", i).isEqualTo(alone[1]);
            }
            assertThat(batched.get(0)[0]).isNotEqualTo(batched.get(1)[0]);
        }
    }

    @Test
    void aBatchStopsAtWhicheverLimitComesFirst() {
        ZeroShotEvaluator.BatchLimit limit = new ZeroShotEvaluator.BatchLimit(4, 100, 1000);
        assertThat(limit.fits(4, 25, 10, 100)).isTrue();
        assertThat(limit.fits(5, 20, 10, 100)).as("rows").isFalse();
        assertThat(limit.fits(3, 34, 10, 100)).as("tokens").isFalse();
        assertThat(limit.fits(2, 10, 11, 100)).as("head logits").isFalse();
    }

    @Test
    void theStandardErrorIsTheSampleOneOfTheHeadline() {
        TaskResult r = new TaskResult("piqa", 101, 0.3, 0.6, true, 1);
        assertThat(r.headlineStandardError()).isCloseTo(Math.sqrt(0.6 * 0.4 / 100), org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void dequantizingTheLayersOnceChangesNoScore() {
        Recipe w4 = Recipe.FP.withRotation(RotationKind.HADAMARD, 0).withWeights(4, WeightMethod.RTN, 0, true);
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), w4)) {
            ZeroShotEvaluator evaluator = new ZeroShotEvaluator(prepared.model(), prepared.tokenizer());
            Choice choice = new Choice("Once upon a time", ", there was a little girl", 26);
            double[] expanding = evaluator.score(choice);
            assertThat(prepared.weights().stored(0)).isInstanceOf(QuantizedLayer.class);
            prepared.weights().dequantizeLayers();
            assertThat(prepared.weights().stored(0)).isInstanceOf(LayerWeights.class);
            assertThat(evaluator.score(choice)).containsExactly(expanding);
        }
    }

    @Test
    void everySharedTaskLoads() {
        Path dir = TestPaths.shared("data/zeroshot");
        for (ZeroShotTask task : ZeroShotTask.values()) {
            List<Question> questions = task.load(dir, 5);
            assertThat(questions).as(task.id()).hasSize(5);
            for (Question q : questions) {
                assertThat(q.gold()).isBetween(0, q.choices().size() - 1);
                assertThat(q.choices()).allSatisfy(c -> assertThat(c.continuation()).startsWith(" "));
            }
        }
        assertThat(ZeroShotTask.HELLASWAG.load(dir, 1).get(0).choices()).hasSize(4);
    }

    @Test
    void badTaskNamesAndMissingFilesAreOneLine(@TempDir Path dir) {
        assertThatThrownBy(() -> ZeroShotTask.parse("mmlu")).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("--tasks: unknown task 'mmlu'");
        assertThatThrownBy(() -> ZeroShotTask.BOOLQ.load(dir, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessage("--data-dir: " + dir.resolve("llm-foundry-eval/boolq.jsonl") + " not found (task boolq)");
    }
}
