package io.rotquant.compiler.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintTest {
    private static final Recipe RECIPE = Recipe.FP.withRotation(RotationKind.HADAMARD, 0)
            .withWeights(4, WeightMethod.RTN, 0, true).withActivations(4, 1.0, 4, 1.0);

    @TempDir
    Path dir;

    private Path copyOfStories() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        try (Stream<Path> files = Files.list(io.rotquant.runtime.TestPaths.stories260K())) {
            for (Path file : files.toList()) {
                Files.copy(file, model.resolve(file.getFileName()));
            }
        }
        return model;
    }

    private static Fingerprint of(Path model, Recipe recipe) throws Exception {
        return Fingerprint.of("test 1", new CompileRequest(model, recipe, ComputeDType.FP32, model.resolve("out.rqm"), null, 16,
                null, 16));
    }

    @Test
    void unchangedInputsMatchAndEachChangeIsNamed() throws Exception {
        Path model = copyOfStories();
        Fingerprint first = of(model, RECIPE);
        Path file = dir.resolve("fp.json");
        first.withArtifact("ab".repeat(32)).write(file);
        Fingerprint recorded = Fingerprint.read(file);

        assertThat(of(model, RECIPE).changesSince(recorded)).isEmpty();
        // A compile on the GPU is another build: its artifact differs from the CPU's in the last bits.
        first.with("device", "cpu").withArtifact("ab".repeat(32)).write(file);
        Fingerprint onCpu = Fingerprint.read(file);
        assertThat(of(model, RECIPE).with("device", "cpu").changesSince(onCpu)).isEmpty();
        assertThat(of(model, RECIPE).with("device", "cuda").changesSince(onCpu)).containsExactly("device changed (cpu -> cuda)");
        assertThat(of(model, RECIPE.withActivations(8, 1.0, 4, 1.0)).changesSince(recorded))
                .containsExactly("recipe.a_bits changed (4 -> 8)", "recipe.recipe changed (hadamard W4A4KV4 rtn -> hadamard W4A8KV4 rtn)");

        byte[] config = Files.readAllBytes(model.resolve("config.json"));
        Files.write(model.resolve("config.json"), (new String(config) + " ").getBytes());
        assertThat(of(model, RECIPE).changesSince(recorded)).singleElement().asString().startsWith("model/config.json changed (");
    }

    @Test
    void anUnreadableRecordIsNoRecord() throws Exception {
        assertThat(Fingerprint.read(dir.resolve("absent.json"))).isNull();
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{not json");
        assertThat(Fingerprint.read(garbage)).isNull();
    }
}
