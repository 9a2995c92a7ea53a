package io.rotquant.compiler.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.checkpoint.Qwen2Checkpoint;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.runtime.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Norm fusion plus R1, R2 (offline), R3 and R4 (online) leave the function unchanged: fp32 logits
 * of the rotated model equal the original's, max|Δ| / max|logit| < 1e-4 (specification.md §3.7).
 */
class RotationInvarianceTest {

    @ParameterizedTest
    @EnumSource(value = RotationKind.class, names = {"IDENTITY", "HADAMARD", "ORTHOGONAL"})
    void stories260KLogitsAreInvariant(RotationKind kind) throws Exception {
        assertInvariant(TestPaths.stories260K(), kind, TestPaths.stories260K().resolve("SOURCE.md"), 256);
    }

    @ParameterizedTest
    @EnumSource(value = RotationKind.class, names = {"HADAMARD", "ORTHOGONAL"})
    void testbedLogitsAreInvariant(RotationKind kind) throws Exception {
        Path model = TestPaths.shared("models/rq-testbed-26m");
        assertInvariant(model, kind, TestPaths.shared("data/wikitext-2-raw/wiki.test.raw"), 512);
    }

    /** R2 turns v_proj's bias with its rows: without that, these logits move by tens of percent. */
    @ParameterizedTest
    @EnumSource(value = RotationKind.class, names = {"HADAMARD", "ORTHOGONAL"})
    void qwen2LogitsWithQkvBiasesAreInvariant(RotationKind kind, @TempDir Path dir) throws Exception {
        Path qwen2 = Qwen2Checkpoint.write(dir.resolve("qwen2"));
        assertInvariant(qwen2, kind, TestPaths.stories260K().resolve("SOURCE.md"), 256);
        // The biases are read and added: the same weights without them give other logits.
        String text = Files.readString(TestPaths.stories260K().resolve("SOURCE.md"));
        try (PreparedModel biased = TorchTestSupport.open(qwen2, RotationKind.NONE, 0);
                PreparedModel plain = TorchTestSupport.open(TestPaths.stories260K(), RotationKind.NONE, 0)) {
            int[] ids = Arrays.copyOf(plain.tokenizer().encode(text), 64);
            double[] a = logits(biased, ids);
            double[] b = logits(plain, ids);
            double delta = 0;
            for (int i = 0; i < a.length; i++) {
                delta = Math.max(delta, Math.abs(a[i] - b[i]));
            }
            assertThat(delta).as("max|Δ| of the logits with and without the biases").isGreaterThan(0.5);
        }
    }

    private static void assertInvariant(Path model, RotationKind kind, Path textFile, int length) throws Exception {
        String text = Files.readString(textFile);
        double[] reference;
        int[] ids;
        try (PreparedModel plain = TorchTestSupport.open(model, RotationKind.NONE, 0)) {
            ids = Arrays.copyOf(plain.tokenizer().encode(text), length);
            reference = logits(plain, ids);
        }
        double[] rotated;
        try (PreparedModel prepared = TorchTestSupport.open(model, kind, 1234)) {
            rotated = logits(prepared, ids);
        }
        double maxLogit = 0;
        double maxDelta = 0;
        for (int i = 0; i < reference.length; i++) {
            maxLogit = Math.max(maxLogit, Math.abs(reference[i]));
            maxDelta = Math.max(maxDelta, Math.abs(reference[i] - rotated[i]));
        }
        assertThat(maxLogit).isGreaterThan(1.0);
        assertThat(maxDelta / maxLogit).as("max|Δ|/max|logit| for %s on %s", kind, model).isLessThan(1e-4);
    }

    private static double[] logits(PreparedModel prepared, int[] ids) {
        try (PointerScope scope = new PointerScope()) {
            Tensor input = Tensors.longs(Arrays.stream(ids).asLongStream().toArray(), 1, ids.length);
            return Tensors.toDoubles(prepared.model().logits(input));
        }
    }
}
