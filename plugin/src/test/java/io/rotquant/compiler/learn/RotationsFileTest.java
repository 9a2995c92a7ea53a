package io.rotquant.compiler.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.build.Compilation;
import io.rotquant.compiler.build.CompileRequest;
import io.rotquant.compiler.checkpoint.InputDigests;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.TrainingOptions;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rotations file ({@code --rotations}) on stories260K: learned into when absent, read back
 * into the same artifact without learning, and refused for another recipe, model shape or checkpoint.
 */
class RotationsFileTest {
    private static final Path DATA = TestPaths.repo().resolve("examples/data/stories260K-samples.txt");

    @TempDir
    Path dir;

    @BeforeAll
    static void torch() {
        Torch.init(DeviceChoice.CPU, 1, ComputeDType.FP32.scalarType(), line -> { });
    }

    /** RTN W4A{aBits}KV4 with two short training steps, its learned matrices kept in {@code file}. */
    private static Recipe recipe(RotationKind kind, int aBits, Path file) {
        TrainingOptions d = TrainingOptions.DEFAULT;
        return Recipe.FP.withRotation(kind, 3).withWeights(4, WeightMethod.RTN, 0, true).withActivations(aBits, 1.0, 4, 1.0)
                .withCalibration(DATA, 4, 128).withTraining(new TrainingOptions(2, d.lr(), 2, 128, d.alpha(), d.variant(),
                        16, d.init(), d.online(), d.onlineThreshold(), d.memory(), file));
    }

    private List<String> compile(Recipe recipe, String out) throws Exception {
        return compile(TestPaths.stories260K(), recipe, out);
    }

    private List<String> compile(Path model, Recipe recipe, String out) throws Exception {
        List<String> log = new ArrayList<>();
        Compilation.run(new CompileRequest(model, recipe, ComputeDType.FP32, dir.resolve(out), null, 0,
                null, 16), log::add);
        return log;
    }

    @ParameterizedTest
    @EnumSource(value = RotationKind.class, names = {"SPINQUANT", "DUAROT", "DFROT"})
    void theLearnedMatricesAreKeptAndReadBackIntoTheSameArtifactWithoutLearning(RotationKind kind) throws Exception {
        Path file = dir.resolve("rotations.safetensors");
        List<String> learned = compile(recipe(kind, 4, file), "learned.rqm");
        List<String> read = compile(recipe(kind, 4, file), "read.rqm");

        assertThat(learned).as("the first compile's log").anyMatch(l -> l.contains(" kept in " + file));
        assertThat(read).as("the second compile's log").anyMatch(l -> l.contains(" read from " + file))
                .noneMatch(l -> l.contains(" iter ") || l.contains("alternations"));
        assertThat(Files.mismatch(dir.resolve("learned.rqm"), dir.resolve("read.rqm"))).as("first differing byte")
                .isEqualTo(-1L);
    }

    @Test
    void aFileLearnedUnderAnotherRecipeOrForAnotherModelShapeIsRefusedInOneLine() throws Exception {
        Path file = dir.resolve("rotations.safetensors");
        compile(recipe(RotationKind.DUAROT, 4, file), "learned.rqm");

        assertThatThrownBy(() -> compile(recipe(RotationKind.DUAROT, 8, file), "other.rqm"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("--rotations " + file + ": learned with --a-bits 4, this recipe has 8 (remove the file to learn again)");
        assertThat(dir.resolve("other.rqm")).doesNotExist();

        ModelConfig c = ModelConfig.load(TestPaths.stories260K().resolve("config.json"));
        ModelConfig wider = new ModelConfig(c.modelType(), 2 * c.hiddenSize(), c.intermediateSize(), c.numLayers(),
                c.numHeads(), c.numKvHeads(), c.headDim(), c.vocabSize(), c.maxPositions(), c.rmsNormEps(), c.rope(),
                c.tieWordEmbeddings(), c.bosTokenId(), c.eosTokenIds());
        assertThatThrownBy(() -> RotationsFile.read(file, recipe(RotationKind.DUAROT, 4, file), wider, TestPaths.stories260K(),
                Torch.device()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("--rotations " + file + ": learned for a model with hidden_size " + c.hiddenSize()
                        + ", this model has " + 2 * c.hiddenSize() + " (remove the file to learn again)");
    }

    @Test
    void aFileLearnedFromOtherWeightsOfTheSameShapeIsRefusedWhileAChangedChatTemplateIsNot() throws Exception {
        Path file = dir.resolve("rotations.safetensors");
        compile(recipe(RotationKind.DFROT, 4, file), "learned.rqm");
        Path other = TestPaths.copyOfStories260K(dir.resolve("other-weights"));
        Path tokenizerConfig = other.resolve("tokenizer_config.json");
        Files.writeString(tokenizerConfig, Files.readString(tokenizerConfig).replaceFirst("\\{", "{\"chat_template\": \"{{ x }}\", "));

        assertThat(compile(other, recipe(RotationKind.DFROT, 4, file), "template.rqm")).as("the log with another chat template")
                .anyMatch(l -> l.contains(" read from " + file));

        Path weights = other.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 4] ^= 1;  // the lowest bit of the last float32 weight
        Files.write(weights, bytes);
        String learnedFrom = InputDigests.sha256(TestPaths.stories260K().resolve("model.safetensors")).substring(0, 12);
        String now = InputDigests.sha256(weights).substring(0, 12);
        assertThatThrownBy(() -> compile(other, recipe(RotationKind.DFROT, 4, file), "other.rqm"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("--rotations " + file + ": learned from a checkpoint whose model.safetensors has sha256 " + learnedFrom
                        + "…, this checkpoint's has sha256 " + now + "… (remove the file to learn again)");
        assertThat(dir.resolve("other.rqm")).doesNotExist();
    }

    @Test
    void matricesComeBackBitForBitAndOthersThanTheMethodsAreRefused() {
        try (PointerScope scope = new PointerScope()) {
            Path file = dir.resolve("random.safetensors");
            Recipe recipe = recipe(RotationKind.SPINQUANT, 4, file);
            ModelConfig config = ModelConfig.load(TestPaths.stories260K().resolve("config.json"));
            torch.manual_seed(11);
            List<Tensor> written = List.of(torch.randn(5, 5).to(ScalarType.Double), torch.randn(2, 3, 3).to(ScalarType.Double));
            RotationsFile.write(file, recipe, config, TestPaths.stories260K(), written);
            List<Tensor> read = RotationsFile.read(file, recipe, config, TestPaths.stories260K(), Torch.device());
            assertThat(read).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(torch.equal(read.get(i), written.get(i))).as("matrix %d", i).isTrue();
            }
            // Metadata that fits the recipe, matrices that do not (a file changed by hand): one line.
            assertThatThrownBy(() -> compile(recipe, "edited.rqm")).isInstanceOf(InvalidInputException.class)
                    .hasMessage("--rotations " + file + ": holds 2 matrices where the recipe's method has 6");
            RotationsFile.write(file, recipe(RotationKind.DFROT, 4, file), config, TestPaths.stories260K(),
                    List.of(written.get(0)));
            assertThatThrownBy(() -> compile(recipe(RotationKind.DFROT, 4, file), "edited.rqm"))
                    .hasMessage("--rotations " + file + ": matrix.0 is [5, 5] where the recipe's method has [64, 64]");
        }
    }
}
