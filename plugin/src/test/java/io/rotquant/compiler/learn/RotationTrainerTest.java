package io.rotquant.compiler.learn;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.checkpoint.Checkpoint;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.DualVariant;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RotationInit;
import io.rotquant.compiler.recipe.TrainingOptions;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * Rotation training on stories260K (GQA: 8 query heads on 4 KV heads): it lowers its own objective,
 * keeps every rotation orthogonal, starts at QuaRot, and DuaRot's merged R1 gives the trained model.
 */
class RotationTrainerTest {
    private static final Path DATA = TestPaths.repo().resolve("examples/data/stories260K-samples.txt");

    private static Recipe recipe(RotationKind rotation, int iters) {
        return Recipe.FP.withRotation(rotation, 5).withWeights(4, WeightMethod.RTN, 0, true).withActivations(4, 1.0, 4, 1.0)
                .withCalibration(DATA, 16, 128).withTraining(new TrainingOptions(iters, 1.5, 2, 128, 100, DualVariant.DUAL, 16, RotationInit.HADAMARD));
    }

    private static double orthogonalityError(Tensor r) {
        return r.t().mm(r).sub(torch.eye(r.size(0)).to(ScalarType.Double)).abs().max().item_double();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = RotationKind.class, names = {"SPINQUANT", "DUAROT"})
    void trainingLowersTheCalibrationLossAndKeepsEveryRotationOrthogonal(RotationKind kind) {
        Recipe recipe = recipe(kind, 12);
        try (PreparedModel warmUp = TorchTestSupport.open(TestPaths.stories260K(), Recipe.FP);
                PointerScope scope = new PointerScope();
                RotationLearning learning = RotationLearning.prepare(Checkpoint.open(TestPaths.stories260K()),
                        Tokenizer.load(TestPaths.stories260K().resolve("tokenizer.json")), recipe, ComputeDType.FP32)) {
            RotationTrainer trainer = learning.trainer();
            RotationParameters parameters = learning.parameters();
            assertThat(learning.windows()).hasSize(24).allSatisfy(w -> assertThat(w).hasSize(128));
            double before = trainer.loss(trainer.merge(parameters, parameters.initial()), learning.windows());
            List<String> log = new ArrayList<>();
            RotationTrainer.Result result = trainer.train(parameters, learning.windows(), 5, log::add);
            double after = trainer.loss(result.rotations(), learning.windows());

            assertThat(after).as("loss on the training windows, before %.4f", before).isLessThan(before);
            assertThat(result.losses()).hasSize(12);
            assertThat(java.util.Arrays.stream(result.losses()).allMatch(l -> Double.isFinite(l) && l > 0)).isTrue();
            assertThat(orthogonalityError(result.rotations().r1())).isLessThan(1e-5);
            assertThat(result.rotations().r2()).hasSize(5)
                    .allSatisfy(r2 -> assertThat(orthogonalityError(r2.dim() == 2 ? r2 : r2.select(0, 3))).isLessThan(1e-5));
            assertThat(log).last().asString().startsWith(kind.label() + ": iter 12/12 loss ").contains("s/iter ETA");
        }
    }

    @Test
    void withoutStepsItIsExactlyTheHadamardRotationOfTheSameSeed() throws IOException {
        int[] tokens;
        double hadamard;
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), recipe(RotationKind.HADAMARD, 0))) {
            tokens = prepared.tokenizer().encode(Files.readString(DATA));
            hadamard = Perplexity.evaluate(prepared.model(), tokens, 128, 6, w -> { }).ppl();
        }
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), recipe(RotationKind.SPINQUANT, 0))) {
            assertThat(Perplexity.evaluate(prepared.model(), tokens, 128, 6, w -> { }).ppl()).isEqualTo(hadamard);
        }
    }

    @Test
    void duaRotsMergedRotationGivesTheTrainedModelAndTheFullPrecisionOne() throws IOException {
        // W16A16KV16: every rotation is exact, so the trained (unmerged) graph, the deployed (merged,
        // fused) model and the original model must agree; R2 per KV head checks the GQA indexing.
        Recipe recipe = Recipe.FP.withRotation(RotationKind.DUAROT, 9).withCalibration(DATA, 16, 128)
                .withTraining(new TrainingOptions(0, 1.5, 1, 128, 100, DualVariant.DUAL, 16, RotationInit.ORTHOGONAL));
        int[] tokens;
        double fp;
        try (PreparedModel plain = TorchTestSupport.open(TestPaths.stories260K(), Recipe.FP)) {
            tokens = plain.tokenizer().encode(Files.readString(DATA));
            fp = Perplexity.evaluate(plain.model(), tokens, 128, 4, w -> { }).ppl();
        }
        double deployed;
        try (PreparedModel merged = TorchTestSupport.open(TestPaths.stories260K(), recipe)) {
            deployed = Perplexity.evaluate(merged.model(), tokens, 128, 4, w -> { }).ppl();
        }
        try (PointerScope scope = new PointerScope();
                RotationLearning learning = RotationLearning.prepare(Checkpoint.open(TestPaths.stories260K()),
                        Tokenizer.load(TestPaths.stories260K().resolve("tokenizer.json")), recipe, ComputeDType.FP32)) {
            RotationParameters parameters = learning.parameters();
            List<Tensor> matrices = new ArrayList<>(parameters.initial());
            // Move the local blocks off the identity so that the product R_G·R_L is really exercised.
            matrices.set(1, new io.rotquant.compiler.rotation.RandomRotations(4).orthogonal(16, "block"));
            RotationTrainer.Rotations rotations = learning.trainer().merge(parameters, matrices);
            assertThat(orthogonalityError(rotations.r1())).isLessThan(1e-10);
            List<long[]> windows = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                windows.add(java.util.Arrays.stream(tokens, w * 128, (w + 1) * 128).asLongStream().toArray());
            }
            double trainedGraph = Math.exp(learning.trainer().loss(rotations, windows));
            assertThat(trainedGraph).isCloseTo(fp, org.assertj.core.data.Offset.offset(1e-4 * fp));
        }
        assertThat(deployed).isCloseTo(fp, org.assertj.core.data.Offset.offset(1e-4 * fp));
    }
}
