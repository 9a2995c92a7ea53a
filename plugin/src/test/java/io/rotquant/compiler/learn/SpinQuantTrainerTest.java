package io.rotquant.compiler.learn;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.checkpoint.Checkpoint;
import io.rotquant.compiler.eval.Perplexity;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.Recipe;
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

/** SpinQuant training on stories260K: it lowers its own objective, keeps every rotation orthogonal, starts at QuaRot. */
class SpinQuantTrainerTest {
    private static final Path DATA = TestPaths.repo().resolve("examples/data/stories260K-samples.txt");

    private static Recipe recipe(RotationKind rotation, int iters) {
        return Recipe.FP.withRotation(rotation, 5).withWeights(4, WeightMethod.RTN, 0, true).withActivations(4, 1.0, 4, 1.0)
                .withCalibration(DATA, 16, 128).withTraining(new TrainingOptions(iters, 1.5, 2, 128, 100));
    }

    private static double orthogonalityError(Tensor r) {
        return r.t().mm(r).sub(torch.eye(r.size(0)).to(ScalarType.Double)).abs().max().item_double();
    }

    @Test
    void trainingLowersTheCalibrationLossAndKeepsEveryRotationOrthogonal() {
        Recipe recipe = recipe(RotationKind.SPINQUANT, 12);
        try (PreparedModel warmUp = TorchTestSupport.open(TestPaths.stories260K(), Recipe.FP);
                PointerScope scope = new PointerScope();
                RotationLearning learning = RotationLearning.prepare(Checkpoint.open(TestPaths.stories260K()),
                        Tokenizer.load(TestPaths.stories260K().resolve("tokenizer.json")), recipe, ComputeDType.FP32)) {
            SpinQuantTrainer trainer = learning.spinQuantTrainer();
            assertThat(learning.windows()).hasSize(24).allSatisfy(w -> assertThat(w).hasSize(128));
            double before = trainer.loss(trainer.initial(5), learning.windows());
            List<String> log = new ArrayList<>();
            SpinQuantTrainer.Result result = trainer.train(learning.windows(), 5, log::add);
            double after = trainer.loss(result.rotations(), learning.windows());

            assertThat(after).as("loss on the training windows, before %.4f", before).isLessThan(before);
            assertThat(result.losses()).hasSize(12);
            assertThat(java.util.Arrays.stream(result.losses()).allMatch(l -> Double.isFinite(l) && l > 0)).isTrue();
            assertThat(orthogonalityError(result.rotations().r1())).isLessThan(1e-5);
            assertThat(result.rotations().r2()).hasSize(5)
                    .allSatisfy(r2 -> assertThat(orthogonalityError(r2)).isLessThan(1e-5));
            assertThat(log).last().asString().startsWith("spinquant: iter 12/12 loss ").contains("s/iter ETA");
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
}
