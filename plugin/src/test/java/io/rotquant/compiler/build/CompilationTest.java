package io.rotquant.compiler.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.checkpoint.InputDigests;
import io.rotquant.compiler.eval.ActivationProfile.LayerProfile;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.model.LinearGroup;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole compilation on stories260K: byte-identical repeats, the report and its measurements. */
class CompilationTest {
    private static final Recipe QUAROT_RTN = Recipe.FP.withRotation(RotationKind.HADAMARD, 7)
            .withWeights(4, WeightMethod.RTN, 0, true).withActivations(4, 1.0, 4, 1.0);

    @TempDir
    Path dir;

    @BeforeAll
    static void torch() {
        Torch.init(DeviceChoice.CPU, 0, ComputeDType.FP32.scalarType(), line -> { });
    }

    private CompileReport compile(String name, Path evalData, Path report) throws Exception {
        return Compilation.run(new CompileRequest(TestPaths.stories260K(), QUAROT_RTN, ComputeDType.FP32, dir.resolve(name),
                evalData, 2, report, 16), line -> { });
    }

    @Test
    void sameInputsAndSeedGiveAByteIdenticalArtifact() throws Exception {
        CompileReport first = compile("a.rqm", null, null);
        CompileReport second = compile("b.rqm", null, null);
        assertThat(second.sha256()).isEqualTo(first.sha256()).isEqualTo(InputDigests.sha256(dir.resolve("a.rqm")));
        assertThat(Files.mismatch(dir.resolve("a.rqm"), dir.resolve("b.rqm"))).isEqualTo(-1);
    }

    @Test
    void theCalibrationFileIsRecordedByNameAndDigestSoItsDirectoryDoesNotChangeTheBytes() throws Exception {
        Path samples = TestPaths.repo().resolve("examples/data/stories260K-samples.txt");
        String[] sha = new String[2];
        for (int i = 0; i < 2; i++) {
            Path calibration = Files.createDirectories(dir.resolve("checkout" + i)).resolve("calibration.txt");
            Files.copy(samples, calibration);
            Recipe gptq = QUAROT_RTN.withWeights(4, WeightMethod.GPTQ, 0, true).withCalibration(calibration, 4, 0);
            sha[i] = Compilation.run(new CompileRequest(TestPaths.stories260K(), gptq, ComputeDType.FP32,
                    dir.resolve("c" + i + ".rqm"), null, 0, null, 16), line -> { }).sha256();
        }
        assertThat(sha[1]).isEqualTo(sha[0]);
        try (var artifact = io.rotquant.runtime.artifact.Artifact.open(dir.resolve("c0.rqm"))) {
            assertThat(artifact.metadata().get("recipe")).contains("\"calibration\":\"calibration.txt\"");
            assertThat(artifact.metadata().get("input_digests")).contains("calibration/calibration.txt");
        }
    }

    @Test
    void reportMeasuresPerplexityAndShowsRotationFlatteningTheDownProjInputs() throws Exception {
        Path samples = TestPaths.repo().resolve("examples/data/stories260K-samples.txt");
        CompileReport report = compile("r.rqm", samples, dir.resolve("report"));

        CompileReport.Evaluation eval = report.evaluation();
        assertThat(eval.windows()).isEqualTo(2);
        assertThat(eval.pplQuantized()).isGreaterThan(eval.pplFp());
        assertThat(eval.before()).hasSize(5);
        assertThat(mean(eval.after(), LinearGroup.DOWN)).isLessThan(0.8 * mean(eval.before(), LinearGroup.DOWN));

        JsonObject json = JsonObject.parse("report.json", Files.readString(dir.resolve("report/report.json")));
        assertThat(json.number("ppl_q")).isEqualTo(eval.pplQuantized());
        assertThat(json.string("sha256")).isEqualTo(report.sha256());
        String html = Files.readString(dir.resolve("report/report.html"));
        assertThat(html).contains("<svg", "Perplexity", "Massive activations", "Compile time by phase", report.sha256());
        assertThat(dir.resolve("report")).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void missingHeldOutTextIsOneLineNamingTheParameterAndWritesNothing() {
        assertThatThrownBy(() -> compile("x.rqm", dir.resolve("absent.txt"), null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("--eval-data " + dir.resolve("absent.txt") + ": file not found");
        assertThat(dir.resolve("x.rqm")).doesNotExist();
    }

    private static double mean(List<LayerProfile> layers, LinearGroup group) {
        return layers.stream().mapToDouble(l -> l.quantError().get(group)).average().orElseThrow();
    }
}
