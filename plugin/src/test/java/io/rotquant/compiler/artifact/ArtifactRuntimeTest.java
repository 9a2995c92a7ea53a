package io.rotquant.compiler.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.eval.GreedyGenerator;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.TestPaths;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.model.Perplexity;
import io.rotquant.runtime.model.RotQuantModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiler artifact → pure-Java runtime on stories260K: faithful to the simulation, safe across sessions, checksummed. */
class ArtifactRuntimeTest {
    @TempDir
    Path dir;

    private static Recipe recipe(int w, int a, int kv) {
        return Recipe.FP.withRotation(RotationKind.HADAMARD, 0).withWeights(w, WeightMethod.RTN, 0, true)
                .withActivations(a, 1.0, kv, 1.0);
    }

    private Path compile(Recipe recipe, String name) throws IOException {
        Path out = dir.resolve(name);
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), recipe)) {
            ArtifactWriter.write(prepared, out, Map.of());
        }
        return out;
    }

    @Test
    void w8a8kv8ArtifactGeneratesTheFpStoryAndMatchesTheSimulatedPerplexity() throws IOException {
        Recipe recipe = recipe(8, 8, 8);
        Path artifact = compile(recipe, "w8a8kv8.rq");
        int[] fpStory;
        try (PreparedModel fp = TorchTestSupport.open(TestPaths.stories260K(), RotationKind.NONE, 0)) {
            fpStory = GreedyGenerator.generate(fp.model(), new int[] {fp.checkpoint().config().bosTokenId()}, 30);
        }
        String text = Files.readString(TestPaths.repo().resolve("examples/data/stories260K-samples.txt"));
        double simulated;
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), recipe)) {
            simulated = io.rotquant.compiler.eval.Perplexity.evaluate(prepared.model(), prepared.tokenizer().encode(text),
                    256, 4, w -> { }).ppl();
        }
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            int[] generated = model.newSession().generate().maxTokens(30).stopTokens().run(
                    new int[] {model.spec().bosTokenId()}).tokens();
            // GreedyGenerator returns the BOS prompt followed by the 30 generated tokens.
            assertThat(generated).containsExactly(Arrays.copyOfRange(fpStory, 1, 31));
            double runtime = Perplexity.evaluate(model, text, 256, 4, w -> { }).ppl();
            assertThat(runtime / simulated - 1).isBetween(-1e-3, 1e-3);
        }
    }

    @Test
    void sessionsRunningInParallelGiveTheSameTokensAsOneAlone() throws Exception {
        Path artifact = compile(recipe(4, 4, 4), "w4a4kv4.rq");
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            int[] prompt = model.tokenizer().encode("Once upon a time");
            int[] alone = model.newSession().generate().maxTokens(40).run(prompt).tokens();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                Future<?>[] runs = new Future<?>[4];
                for (int i = 0; i < runs.length; i++) {
                    runs[i] = pool.submit(() -> model.newSession().generate().maxTokens(40).run(prompt).tokens());
                }
                for (Future<?> run : runs) {
                    assertThat((int[]) run.get()).containsExactly(alone);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void aWrongChecksumIsRefusedWithAClearMessage() throws IOException {
        Path artifact = compile(recipe(4, 4, 4), "good.rq");
        byte[] good = Files.readAllBytes(artifact);
        long headerLength = java.nio.ByteBuffer.wrap(good, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();

        byte[] flipped = good.clone();
        flipped[(int) (8 + headerLength + 100)] ^= 1;
        Path bad = dir.resolve("bad.rq");
        Files.write(bad, flipped);
        assertThatThrownBy(() -> RotQuantModel.load(bad, 1)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("checksum mismatch").hasMessageContaining(bad.toString());
    }
}
