package io.rotquant.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole fake-quant pipeline on stories260K: reproducibility, quality ordering sanity, bad input. */
class QuantizedPipelineTest {
    private static final Path DATA = TestPaths.repo().resolve("examples/data/stories260K-samples.txt");
    private static final int SEQLEN = 256;

    private static double ppl(Recipe recipe) throws IOException {
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), recipe)) {
            int[] tokens = prepared.tokenizer().encode(Files.readString(DATA));
            return Perplexity.evaluate(prepared.model(), tokens, SEQLEN, 8, w -> { }).ppl();
        }
    }

    private static Recipe w4a4kv4(RotationKind rotation, long seed, WeightMethod method) {
        return Recipe.FP.withRotation(rotation, seed).withWeights(4, method, 0, true).withActivations(4, 1.0, 4, 1.0)
                .withCalibration(DATA, 16, SEQLEN);
    }

    @Test
    void sameSeedGivesTheSamePerplexityToEveryDigit() throws IOException {
        Recipe recipe = w4a4kv4(RotationKind.HADAMARD, 11, WeightMethod.GPTQ);
        double first = ppl(recipe);
        assertThat(ppl(recipe)).isEqualTo(first);
        assertThat(ppl(recipe.withRotation(RotationKind.HADAMARD, 12))).isNotEqualTo(first);
    }

    @Test
    void quantizationCostsPerplexityAndSixteenBitsCostsNothing() throws IOException {
        double fp = ppl(Recipe.FP);
        double rotatedFp = ppl(Recipe.FP.withRotation(RotationKind.HADAMARD, 0).withActivations(16, 1.0, 16, 1.0));
        assertThat(rotatedFp).isCloseTo(fp, org.assertj.core.data.Offset.offset(1e-3 * fp));
        double w8a8 = ppl(Recipe.FP.withRotation(RotationKind.HADAMARD, 0).withWeights(8, WeightMethod.RTN, 0, true)
                .withActivations(8, 1.0, 8, 1.0));
        double w4a4 = ppl(w4a4kv4(RotationKind.HADAMARD, 0, WeightMethod.RTN));
        assertThat(w8a8).isGreaterThan(fp * 0.999).isLessThan(w4a4);
        assertThat(w4a4).isFinite().isGreaterThan(fp);
    }

    @Test
    void badCalibrationInputIsOneLine(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "  \n");
        assertThatThrownBy(() -> ppl(w4a4kv4(RotationKind.NONE, 0, WeightMethod.GPTQ).withCalibration(empty, 4, 64)))
                .isInstanceOf(InvalidInputException.class).hasMessage("--calibration " + empty + ": no text in the file");
        Path missing = dir.resolve("missing.jsonl");
        assertThatThrownBy(() -> ppl(w4a4kv4(RotationKind.NONE, 0, WeightMethod.GPTQ).withCalibration(missing, 4, 64)))
                .hasMessage("--calibration " + missing + ": file not found");
        Path small = Files.writeString(dir.resolve("small.jsonl"), "{\"text\": \"Once upon a time there was a cat.\"}\n");
        assertThatThrownBy(() -> ppl(w4a4kv4(RotationKind.NONE, 0, WeightMethod.GPTQ).withCalibration(small, 4, 8)))
                .hasMessageStartingWith("--nsamples 4 is more than " + small + " holds: ");
        Path badJson = Files.writeString(dir.resolve("bad.jsonl"), "{\"txt\": \"x\"}\n");
        assertThatThrownBy(() -> ppl(w4a4kv4(RotationKind.NONE, 0, WeightMethod.GPTQ).withCalibration(badJson, 4, 8)))
                .hasMessage("--calibration " + badJson + " line 1: missing field 'text'");
    }

    @Test
    void groupSizeThatDoesNotDivideIsRefused() {
        Recipe recipe = Recipe.FP.withWeights(4, WeightMethod.RTN, 24, true);
        assertThatThrownBy(() -> ppl(recipe)).isInstanceOf(InvalidInputException.class)
                .hasMessage("--w-group 24 does not divide hidden_size = 64 (config.json)");
    }

    @Test
    void bitsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> Recipe.FP.withActivations(1, 1.0, 4, 1.0)).isInstanceOf(InvalidInputException.class)
                .hasMessage("--a-bits must be 2..8, or 16 for no quantization; got 1");
        assertThatThrownBy(() -> Recipe.FP.withActivations(4, 1.5, 4, 1.0)).hasMessage("--a-clip must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> Recipe.FP.withActivations(4, 1.0, 12, 1.0)).hasMessageContaining("--kv-bits");
    }
}
