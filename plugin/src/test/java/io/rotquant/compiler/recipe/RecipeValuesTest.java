package io.rotquant.compiler.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.json.JsonWriter;
import org.junit.jupiter.api.Test;

class RecipeValuesTest {
    @Test
    void unsetSettingsTakeTheArtifactDefaults() {
        Recipe recipe = new RecipeValues().recipe();
        assertThat(recipe.label()).isEqualTo("hadamard W4A4KV4 gptq");
        assertThat(recipe.training()).isEqualTo(TrainingOptions.DEFAULT);
        assertThat(recipe.calibration()).isNull();
    }

    @Test
    void givenValuesAreParsedIntoTheRecipe() {
        Recipe recipe = new RecipeValues().set(RecipeParameter.ROTATION, "duarot").set(RecipeParameter.W_METHOD, "rtn")
                .set(RecipeParameter.W_CLIP, false).set(RecipeParameter.A_BITS, 8).set(RecipeParameter.SEED, 9L)
                .set(RecipeParameter.ROTATION_VARIANT, "local").set(RecipeParameter.LOCAL_BLOCK, 32)
                .set(RecipeParameter.LR, 0.5).recipe();
        assertThat(recipe.rotation()).isEqualTo(RotationKind.DUAROT);
        assertThat(recipe.wClip()).isFalse();
        assertThat(recipe.seed()).isEqualTo(9);
        assertThat(recipe.training().variant()).isEqualTo(DualVariant.LOCAL);
        assertThat(recipe.training().localBlock()).isEqualTo(32);
        assertThat(recipe.training().lr()).isEqualTo(0.5);
        assertThat(recipe.label()).isEqualTo("duarot W4A8KV4 rtn");
    }

    /** A front end's settings: fields named as the parameters' Maven names, some unset. */
    static class Settings {
        String rotation = "spinquant";
        Integer wBits = 3;
        Integer aBits;
        boolean gptqActOrder = true;
    }

    static class AllSettings extends Settings {
        String rotationVariant;
        Integer localBlock;
        String init;
        String online;
        Integer onlineThreshold;
        Long seed = 4L;
        String wMethod;
        Integer wGroup;
        Boolean wClip;
        Double aClip;
        Integer kvBits = 16;
        Double kvClip;
        java.io.File calibration;
        Integer nsamples;
        Integer seqlen;
        Double gptqDamp;
        boolean gptqStaticGroups;
        Integer iters;
        Double lr;
        Integer trainBatch;
        Integer trainSeqlen;
        String trainMemory;
        java.io.File rotations;
        Double alpha;
    }

    @Test
    void aFrontEndsFieldsAreReadByTheParametersNames() {
        Recipe recipe = RecipeValues.of(new AllSettings()).recipe();
        assertThat(recipe.label()).isEqualTo("spinquant W3A4KV16 gptq");
        assertThat(recipe.seed()).isEqualTo(4);
        assertThat(recipe.gptq().actOrder()).isTrue();
        assertThatThrownBy(() -> RecipeValues.of(new Settings())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no field 'rotationVariant'");
    }

    @Test
    void theRecipeJsonGivesBackTheSameRecipe() {
        Recipe learned = new RecipeValues().set(RecipeParameter.ROTATION, "duarot").set(RecipeParameter.ITERS, 7)
                .set(RecipeParameter.TRAIN_MEMORY, "layer").set(RecipeParameter.CALIBRATION, "/data/c.txt")
                .set(RecipeParameter.ROTATIONS, "/data/r.safetensors").set(RecipeParameter.GPTQ_ACT_ORDER, true).recipe();
        Recipe fixed = new RecipeValues().set(RecipeParameter.W_GROUP, 32).set(RecipeParameter.KV_CLIP, 0.9).recipe();
        for (Recipe recipe : new Recipe[] {learned, fixed, Recipe.FP}) {
            assertThat(RecipeValues.fromJson("test", JsonWriter.write(recipe.toJson())).recipe()).isEqualTo(recipe);
        }
    }

    @Test
    void aBadValueNamesItsParameterInTheCallersWords() {
        assertThatThrownBy(new RecipeValues().set(RecipeParameter.TRAIN_MEMORY, "half")::recipe)
                .isInstanceOf(InvalidInputException.class).hasMessage("--train-memory: 'half' is not one of all, layer");
        RecipeValues bad = new RecipeValues().set(RecipeParameter.W_BITS, "four");
        assertThatThrownBy(bad::recipe).isInstanceOf(InvalidInputException.class)
                .hasMessage("--w-bits: 'four' is not a whole number");
        try (ParameterNames.Scope maven = ParameterNames.MAVEN.use()) {
            assertThatThrownBy(bad::recipe).hasMessage("rotquant.wBits: 'four' is not a whole number");
            assertThatThrownBy(new RecipeValues().set(RecipeParameter.W_BITS, 1)::recipe)
                    .hasMessageStartingWith("rotquant.wBits ");
            assertThatThrownBy(new RecipeValues().set(RecipeParameter.ROTATION, "spin")::recipe)
                    .hasMessageStartingWith("rotquant.rotation: 'spin' is not one of");
        }
        assertThatThrownBy(new RecipeValues().set(RecipeParameter.W_CLIP, "yes")::recipe)
                .hasMessage("--w-clip: 'yes' is not true or false");
    }

    @Test
    void unknownJsonKeysAndRunSettingsAreRefused() {
        assertThatThrownBy(() -> RecipeValues.fromJson("r.json", "{\"w_bitz\": 4}")).isInstanceOf(InvalidInputException.class)
                .hasMessage("r.json: 'w_bitz' is not a recipe setting");
        assertThatThrownBy(() -> RecipeValues.fromJson("r.json", "[4]")).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("r.json: not a recipe JSON object");
        assertThatThrownBy(() -> new RecipeValues().set(RecipeParameter.DEVICE, "cpu"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
