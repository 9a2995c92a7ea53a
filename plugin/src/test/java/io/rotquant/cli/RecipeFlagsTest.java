package io.rotquant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.DualVariant;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeFlagsTest {
    @Test
    void parsesTheSameFlagsAsTheCommandLine() {
        RecipeFlags.Parsed parsed = RecipeFlags.parse(Path.of("m"), List.of("--rotation", "duarot", "--w-bits", "4",
                "--w-method", "rtn", "--no-w-clip", "--a-bits", "8", "--kv-bits", "4", "--rotation-variant", "local",
                "--local-block", "32", "--dtype", "bf16", "--threads", "3", "--seed", "9"));
        assertThat(parsed.recipe().rotation()).isEqualTo(RotationKind.DUAROT);
        assertThat(parsed.recipe().wMethod()).isEqualTo(WeightMethod.RTN);
        assertThat(parsed.recipe().wClip()).isFalse();
        assertThat(parsed.recipe().training().variant()).isEqualTo(DualVariant.LOCAL);
        assertThat(parsed.recipe().training().localBlock()).isEqualTo(32);
        assertThat(parsed.recipe().seed()).isEqualTo(9);
        assertThat(parsed.dtype()).isEqualTo(ComputeDType.BF16);
        assertThat(parsed.threads()).isEqualTo(3);
        assertThat(parsed.recipe().label()).isEqualTo("duarot W4A8KV4 rtn");
    }

    @Test
    void badValuesAreOneLineNamingTheFlag() {
        assertThatThrownBy(() -> RecipeFlags.parse(Path.of("m"), List.of("--w-bits", "1")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--w-bits");
        assertThatThrownBy(() -> RecipeFlags.parse(Path.of("m"), List.of("--w-bits", "four")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--w-bits");
    }
}
