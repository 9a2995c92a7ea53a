package io.rotquant.compiler.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rotquant.compiler.PreparedModel;
import io.rotquant.compiler.TorchTestSupport;
import io.rotquant.compiler.eval.GreedyGenerator;
import io.rotquant.compiler.recipe.DualVariant;
import io.rotquant.compiler.recipe.OnlineChoice;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RotationInit;
import io.rotquant.compiler.recipe.TrainMemory;
import io.rotquant.compiler.recipe.TrainingOptions;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.runtime.TestPaths;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactException;
import io.rotquant.runtime.artifact.ArtifactFormat;
import io.rotquant.runtime.artifact.RotationPlan;
import io.rotquant.runtime.model.Perplexity;
import io.rotquant.runtime.model.RotQuantModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
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
        return compile(recipe, name, 16);
    }

    private Path compile(Recipe recipe, String name, int headBits) throws IOException {
        Path out = dir.resolve(name);
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), recipe)) {
            ArtifactWriter.write(prepared, out, Map.of(), headBits);
        }
        return out;
    }

    /**
     * An 8-bit head (one F32 scale per row) and a 4-bit one (an F32 scale per 32 columns): the bytes
     * each table saves against F16, exactly, and a perplexity near the F16 head's but not equal to it.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"8, 3", "4, 8"})
    void aQuantizedHeadShrinksTheHeadsBytesAndStaysNearTheF16HeadsPerplexity(int bits, double percent)
            throws IOException {
        Path f16 = compile(recipe(4, 8, 8), "f16-head-" + bits + ".rqm", 16);
        Path small = compile(recipe(4, 8, 8), "head-" + bits + ".rqm", bits);
        String text = Files.readString(TestPaths.repo().resolve("examples/data/stories260K-samples.txt"));
        try (RotQuantModel half = RotQuantModel.load(f16, 2); RotQuantModel codes = RotQuantModel.load(small, 2)) {
            long vocab = half.spec().vocabSize();
            long d = half.spec().hiddenSize();
            long stored = bits == 8 ? vocab * d + 4 * vocab : vocab * d / 2 + 4 * vocab * (d / 32);
            long savedPerTable = 2 * vocab * d - stored;
            assertThat(Files.size(f16) - Files.size(small)).isBetween(2 * savedPerTable - 4096, 2 * savedPerTable + 4096);
            assertThat(half.weightBytesPerToken() - codes.weightBytesPerToken()).isEqualTo(savedPerTable);
            double pplHalf = io.rotquant.runtime.model.Perplexity.evaluate(half, text, 256, 8, w -> { }).ppl();
            double pplCodes = io.rotquant.runtime.model.Perplexity.evaluate(codes, text, 256, 8, w -> { }).ppl();
            assertThat(pplCodes).as("%d-bit head %s, F16 head %s", bits, pplCodes, pplHalf).isNotEqualTo(pplHalf)
                    .isCloseTo(pplHalf, org.assertj.core.api.Assertions.withinPercentage(percent));
        }
    }

    @Test
    void theWeightsAreReadInTheMappingSoASessionUsedAfterCloseFailsCleanly() throws IOException {
        Path artifact = compile(recipe(4, 4, 4), "mapped.rqm");
        RotQuantModel model = RotQuantModel.load(artifact, 1);
        var session = model.newSession();
        assertThat(session.next(1)).hasSize(model.spec().vocabSize());
        model.close();
        // The embedding row of the next token is read from the unmapped file: the segment refuses it.
        assertThatThrownBy(() -> session.next(2)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aSecondRunOnASessionContinuesAsOneGenerationOverTheJoinedIds() throws IOException {
        Path artifact = compile(recipe(8, 8, 8), "continue.rqm");
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            int[] prompt = model.tokenizer().encode("Once upon a time");
            int[] turn = model.tokenizer().encode(" Then", false);
            var session = model.newSession();
            int[] first = session.generate().maxTokens(6).stopTokens().run(prompt).tokens();
            assertThat(first).hasSize(6);
            assertThat(session.position()).isEqualTo(prompt.length + first.length);
            int[] second = session.generate().maxTokens(6).stopTokens().run(turn).tokens();
            int[] joined = java.util.stream.IntStream.concat(java.util.stream.IntStream.concat(Arrays.stream(prompt),
                    Arrays.stream(first)), Arrays.stream(turn)).toArray();
            int[] fresh = model.newSession().generate().maxTokens(6).stopTokens().run(joined).tokens();
            assertThat(second).containsExactly(fresh);
        }
    }

    /**
     * W4A4KV4 (keys packed in blocks): a fork made after a prefix goes on exactly as a session that
     * fed the same prefix, past the copy's capacity, while its source, fed other tokens meanwhile,
     * goes on as if no fork had been made.
     */
    @Test
    void aForkedSessionGoesOnAsItsSourceWouldHaveAndLeavesTheSourceAsItWas() throws IOException {
        Path artifact = compile(recipe(4, 4, 4), "fork.rqm");
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            int[] prefix = model.tokenizer().encode("Once upon a time, there was a little dog named Spot.");
            int[] turn = model.tokenizer().encode(" Spot liked to run and play in the park with his friends.", false);
            var source = model.newSession();
            source.append(prefix, 0, prefix.length);
            var fork = source.fork();
            assertThat(fork.position()).isEqualTo(prefix.length);
            float[] sourceNext = source.next(turn[3]).clone();

            var reference = model.newSession();
            reference.append(prefix, 0, prefix.length);
            int[] expected = reference.generate().maxTokens(300).stopTokens().run(turn).tokens();
            int[] forked = fork.generate().maxTokens(300).stopTokens().run(turn).tokens();
            assertThat(forked).as("the fork's tokens, past the %d positions it was copied with", prefix.length)
                    .hasSize(300).containsExactly(expected);

            var unforked = model.newSession();
            unforked.append(prefix, 0, prefix.length);
            assertThat(sourceNext).as("the source's logits after the fork").containsExactly(unforked.next(turn[3]));
            assertThat(source.next(turn[4])).as("the source's next logits, after the fork's 300 tokens")
                    .containsExactly(unforked.next(turn[4]));
        }
    }

    /**
     * A saved session loads, in another instance of the model, into one that goes on exactly as the
     * saved one (W4A4KV4: packed keys in blocks; W8A8KV16: float caches); a file of another artifact
     * or format is refused in one line.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"4, 4, 4", "8, 8, 16"})
    void aSavedSessionLoadsIntoOneThatGoesOnAsTheSavedOneWould(int w, int a, int kv) throws IOException {
        Path artifact = compile(recipe(w, a, kv), "saved.rqm");
        Path file = dir.resolve("session.safetensors");
        int[] prefix;
        int[] turn;
        int[] expected;
        float[] nextLogits;
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            prefix = model.tokenizer().encode("Once upon a time, there was a little dog named Spot.");
            turn = model.tokenizer().encode(" He liked to run.", false);
            var session = model.newSession();
            session.append(prefix, 0, prefix.length);
            session.notes().put("user", "ada");
            session.save(file);
            nextLogits = session.fork().next(turn[0]).clone();
            expected = session.generate().maxTokens(20).stopTokens().run(turn).tokens();
        }
        try (RotQuantModel again = RotQuantModel.load(artifact, 1)) {
            var loaded = again.loadSession(file);
            assertThat(loaded.position()).isEqualTo(prefix.length);
            assertThat(loaded.notes()).containsExactly(java.util.Map.entry("user", "ada"));
            assertThat(loaded.fork().notes()).as("a fork's notes").containsExactly(java.util.Map.entry("user", "ada"));
            assertThat(loaded.fork().next(turn[0])).as("the next logits").containsExactly(nextLogits);
            assertThat(loaded.generate().maxTokens(20).stopTokens().run(turn).tokens()).containsExactly(expected);
        }
        Path other = compile(recipe(w, a, kv).withRotation(RotationKind.HADAMARD, 1), "other.rqm");
        try (RotQuantModel model = RotQuantModel.load(other, 1)) {
            assertThatThrownBy(() -> model.loadSession(file)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(file + ": saved on another artifact (data sha256 ");
            assertThatThrownBy(() -> model.loadSession(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(other + ": not a saved session (its format is 'rotquant')");
            assertThatThrownBy(() -> model.loadSession(dir.resolve("none"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(dir.resolve("none") + ": file not found");
        }
    }

    @Test
    void aConversationOfThreeTurnsOnOneSessionIsOneGenerationOverAllTheirIds() throws IOException {
        Path artifact = compile(recipe(8, 8, 8), "turns.rqm");
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            var session = model.newSession();
            int[] all = new int[0];
            int[] last = null;
            String[] turns = {"Once upon a time", " The dog said", " Then they"};
            for (int t = 0; t < turns.length; t++) {
                int[] turn = model.tokenizer().encode(turns[t], t == 0);
                last = session.generate().maxTokens(5).stopTokens().run(turn).tokens();
                all = java.util.stream.IntStream.concat(java.util.stream.IntStream.concat(Arrays.stream(all), Arrays.stream(turn)),
                        Arrays.stream(last)).toArray();
                assertThat(session.position()).isEqualTo(all.length);
            }
            int[] lastTurn = model.tokenizer().encode(turns[2], false);
            int[] before = Arrays.copyOf(all, all.length - last.length - lastTurn.length);
            int[] prompt = java.util.stream.IntStream.concat(Arrays.stream(before), Arrays.stream(lastTurn)).toArray();
            assertThat(model.newSession().generate().maxTokens(5).stopTokens().run(prompt).tokens()).containsExactly(last);
        }
    }

    /**
     * A logits processor sees the tokens generated before each draw and constrains it: sampled text
     * made only of the allowed tokens; a processor that changes nothing leaves the tokens as they
     * were; one that forbids everything is refused in one line.
     */
    @Test
    void logitsProcessorsConstrainEachDrawAndSeeTheTokensBeforeIt() throws IOException {
        Path artifact = compile(recipe(8, 8, 8), "processed.rqm");
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            int[] prompt = model.tokenizer().encode("Once upon a time");
            java.util.Set<Integer> allowed = new java.util.HashSet<>();
            for (String word : new String[] {" the", " dog", " cat", " and", " ran", "."}) {
                for (int id : model.tokenizer().encode(word, false)) {
                    allowed.add(id);
                }
            }
            java.util.List<Integer> seenLengths = new java.util.ArrayList<>();
            var constrained = model.newSession().generate().maxTokens(24).temperature(0.9).seed(7).stopTokens()
                    .processLogits((generated, logits) -> {
                        seenLengths.add(generated.length);
                        for (int i = 0; i < logits.length; i++) {
                            if (!allowed.contains(i)) {
                                logits[i] = Float.NEGATIVE_INFINITY;
                            }
                        }
                    }).run(prompt);
            assertThat(constrained.tokens()).hasSize(24);
            assertThat(Arrays.stream(constrained.tokens()).boxed().toList()).allMatch(allowed::contains);
            assertThat(seenLengths).as("the tokens generated before each draw")
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 24).boxed().toList());

            var free = model.newSession().generate().maxTokens(24).temperature(0.9).seed(7).stopTokens().run(prompt);
            var untouched = model.newSession().generate().maxTokens(24).temperature(0.9).seed(7).stopTokens()
                    .processLogits((generated, logits) -> { }).run(prompt);
            assertThat(untouched.tokens()).containsExactly(free.tokens());
            assertThat(Arrays.stream(free.tokens()).boxed().toList()).as("the free text leaves the allowed set")
                    .anyMatch(t -> !allowed.contains(t));

            assertThatThrownBy(() -> model.newSession().generate().processLogits((generated, logits) ->
                    Arrays.fill(logits, Float.NEGATIVE_INFINITY)).run(prompt)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the logits processors forbade every token (after 0 generated)");
        }
    }

    @Test
    void generationEndsForTheReasonItReportsAndStreamsExactlyItsText() throws IOException {
        Path artifact = compile(recipe(8, 8, 8), "finish.rqm");
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            int[] prompt = model.tokenizer().encode("Once upon a time");
            var free = model.newSession().generate().maxTokens(40).stopTokens().run(prompt);
            assertThat(free.finishReason()).isEqualTo(io.rotquant.runtime.model.FinishReason.LENGTH);
            assertThat(free.tokens()).hasSize(40);
            // A stop string taken from the middle of that text: the same tokens up to it, the text cut before it.
            String stopAt = free.text().substring(free.text().length() / 2, free.text().length() / 2 + 4);
            int cut = free.text().indexOf(stopAt);
            StringBuilder streamed = new StringBuilder();
            var stopped = model.newSession().generate().maxTokens(40).stopTokens().stopStrings(stopAt)
                    .onToken((token, piece) -> streamed.append(piece)).run(prompt);
            assertThat(stopped.finishReason()).isEqualTo(io.rotquant.runtime.model.FinishReason.STOP_STRING);
            assertThat(stopped.text()).isEqualTo(free.text().substring(0, cut));
            assertThat(streamed.toString()).isEqualTo(stopped.text());
            assertThat(stopped.tokens()).isEqualTo(Arrays.copyOf(free.tokens(), stopped.tokens().length));
            // Cancelled from the listener at the third token: three tokens, all of them in the cache.
            var session = model.newSession();
            var generation = session.generate().maxTokens(40).stopTokens();
            int[] calls = {0};
            var cancelled = generation.onToken((token, piece) -> {
                if (++calls[0] == 3) {
                    generation.cancel();
                }
            }).run(prompt);
            assertThat(cancelled.finishReason()).isEqualTo(io.rotquant.runtime.model.FinishReason.CANCELLED);
            assertThat(cancelled.tokens()).containsExactly(Arrays.copyOf(free.tokens(), 3));
            assertThat(session.position()).isEqualTo(prompt.length + 3);
            // The model's EOS ends a story.
            var story = model.newSession().generate().maxTokens(400).run(prompt);
            assertThat(story.finishReason()).isIn(io.rotquant.runtime.model.FinishReason.STOP_TOKEN,
                    io.rotquant.runtime.model.FinishReason.LENGTH);
        }
    }

    @Test
    void w8a8kv8ArtifactGeneratesTheFpStoryAndMatchesTheSimulatedPerplexity() throws IOException {
        Recipe recipe = recipe(8, 8, 8);
        Path artifact = compile(recipe, "w8a8kv8.rqm");
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

    /**
     * Qwen2's q, k and v biases (v's turned by R2) reach the artifact as F32 vectors and the runtime
     * adds them as the simulation does: the same perplexity, where stories260K's weights without the
     * biases are far from it.
     */
    @Test
    void aQwen2ArtifactCarriesItsBiasesAndMatchesTheSimulatedPerplexity() throws IOException {
        Path qwen2 = io.rotquant.compiler.checkpoint.Qwen2Checkpoint.write(dir.resolve("qwen2"));
        Recipe recipe = recipe(8, 8, 8);
        Path artifact = dir.resolve("qwen2.rqm");
        String text = Files.readString(TestPaths.repo().resolve("examples/data/stories260K-samples.txt"));
        double simulated;
        try (PreparedModel prepared = TorchTestSupport.open(qwen2, recipe); Artifact stored = openAfterWriting(prepared, artifact)) {
            assertThat(stored.shape(ArtifactFormat.bias(1, "v_proj"))).containsExactly(prepared.checkpoint().config().kvDim());
            assertThat(stored.shape(ArtifactFormat.bias(1, "q_proj"))).containsExactly(prepared.checkpoint().config().qDim());
            simulated = io.rotquant.compiler.eval.Perplexity.evaluate(prepared.model(), prepared.tokenizer().encode(text),
                    256, 4, w -> { }).ppl();
        }
        double withoutBiases;
        try (RotQuantModel plain = RotQuantModel.load(compile(recipe, "plain.rqm"), 2)) {
            withoutBiases = Perplexity.evaluate(plain, text, 256, 4, w -> { }).ppl();
        }
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            double runtime = Perplexity.evaluate(model, text, 256, 4, w -> { }).ppl();
            assertThat(runtime / simulated - 1).as("runtime %s, simulated %s", runtime, simulated).isBetween(-1e-3, 1e-3);
            assertThat(Math.abs(withoutBiases / simulated - 1)).as("without the biases %s", withoutBiases).isGreaterThan(0.02);
        }
    }

    /**
     * DuaRot with trained R3 and R4 factor: the stored matrices follow the format's y = M·x convention
     * (checked against the compiler's own x·R on a random vector) and the runtime reproduces the
     * simulated perplexity. At 8 bits: at 4 bits this 64-wide model's rounding flips move the
     * perplexity by about 1 % either way, for the fixed WHT plan as much as for the trained one.
     */
    @Test
    void duaRotArtifactAppliesItsTrainedOnlineRotationsByMatmulAndMatchesTheSimulation() throws IOException {
        Path data = TestPaths.repo().resolve("examples/data/stories260K-samples.txt");
        Recipe recipe = Recipe.FP.withRotation(RotationKind.DUAROT, 3).withWeights(8, WeightMethod.RTN, 0, true)
                .withActivations(8, 1.0, 8, 1.0).withCalibration(data, 8, 128)
                .withTraining(new TrainingOptions(3, 1.5, 2, 128, 100, DualVariant.DUAL, 16, RotationInit.HADAMARD,
                        OnlineChoice.AUTO, 512, TrainMemory.ALL, null));
        String text = Files.readString(data);
        Path artifact = dir.resolve("duarot.rqm");
        double simulated;
        try (PreparedModel prepared = TorchTestSupport.open(TestPaths.stories260K(), recipe);
                Artifact stored = openAfterWriting(prepared, artifact)) {
            OnlineRotations online = prepared.onlineRotations();
            // Layer 2, KV head 1 of R3 ([1, 1, 8] rotated as the compiler does) and layer 2's A factor of R4.
            assertStoredAsColumnConvention(stored, ArtifactFormat.layerRotation(2, "r3"), 1, 8,
                    x -> online.r3().apply(2, x.reshape(1, 1, 1, 8).expand(new long[] {1, 4, 1, 8}).contiguous())
                            .select(1, 1).reshape(8));
            assertStoredAsColumnConvention(stored, ArtifactFormat.layerRotation(2, "r4.a"), 0, 172,
                    x -> online.r4().apply(2, x));
            simulated = io.rotquant.compiler.eval.Perplexity.evaluate(prepared.model(), prepared.tokenizer().encode(text),
                    256, 4, w -> { }).ppl();
        }
        try (RotQuantModel model = RotQuantModel.load(artifact, 2)) {
            // stories260K: head_dim 8 (R3 trained per KV head), intermediate 172 = had_172 (A trained) ⊗ H_1.
            assertThat(model.plan().r3()).isEqualTo(new RotationPlan.Matmul(8, 4));
            assertThat(model.plan().r4()).isEqualTo(new RotationPlan.Kronecker(new RotationPlan.Matmul(172, 1),
                    new RotationPlan.Wht(1, 1)));
            assertThat(model.banner()).contains("R3 matmul 8 per layer per KV head", "R4 kron(matmul 172 per layer, wht 1)");
            double runtime = Perplexity.evaluate(model, text, 256, 4, w -> { }).ppl();
            // The simulation's float kernels depend on the CPU LibTorch dispatches to: 0.17 % apart on
            // an AVX-512 machine, under 0.1 % with ATEN_CPU_CAPABILITY=avx2. A misapplied rotation is
            // percents away.
            assertThat(runtime / simulated - 1).isBetween(-2.5e-3, 2.5e-3);
        }
    }

    private static byte[] readAll(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Artifact openAfterWriting(PreparedModel prepared, Path out) throws IOException {
        ArtifactWriter.write(prepared, out, Map.of(), 16);
        return Artifact.open(out);
    }

    /** Matrix {@code head} of tensor {@code name} times a random x equals {@code compiler(x)} (the compiler's x·R). */
    private static void assertStoredAsColumnConvention(Artifact artifact, String name, int head, int n,
            java.util.function.UnaryOperator<Tensor> compiler) {
        ByteBuffer file = ByteBuffer.wrap(readAll(artifact.path())).order(ByteOrder.LITTLE_ENDIAN);
        long dataStart = 8 + file.getLong(0);
        java.nio.FloatBuffer m = file.position((int) (dataStart + artifact.entries().get(name).start())).slice()
                .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        try (PointerScope scope = new PointerScope()) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(n);
            Tensor x = Tensors.doubles(random.doubles(n, -1, 1).toArray(), n);
            double[] expected = Tensors.toDoubles(compiler.apply(x).to(ScalarType.Double));
            double[] input = Tensors.toDoubles(x);
            for (int i = 0; i < n; i++) {
                double y = 0;
                for (int j = 0; j < n; j++) {
                    y += m.get(head * n * n + i * n + j) * input[j];
                }
                assertThat(y).as("%s row %d", name, i).isCloseTo(expected[i], within(1e-5));
            }
        }
    }

    @Test
    void sessionsRunningInParallelGiveTheSameTokensAsOneAlone() throws Exception {
        Path artifact = compile(recipe(4, 4, 4), "w4a4kv4.rqm");
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
        Path artifact = compile(recipe(4, 4, 4), "good.rqm");
        byte[] good = Files.readAllBytes(artifact);
        long headerLength = java.nio.ByteBuffer.wrap(good, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();

        byte[] flipped = good.clone();
        flipped[(int) (8 + headerLength + 100)] ^= 1;
        Path bad = dir.resolve("bad.rqm");
        Files.write(bad, flipped);
        assertThatThrownBy(() -> RotQuantModel.load(bad, 1)).isInstanceOf(ArtifactException.class)
                .hasMessageContaining("checksum mismatch").hasMessageContaining(bad.toString());
        // Trusted, a file with a changed weight bit loads: the hash is what was skipped, the structure is still checked.
        byte[] weightFlipped = good.clone();
        weightFlipped[good.length - 64] ^= 1;
        Files.write(bad, weightFlipped);
        assertThatThrownBy(() -> RotQuantModel.load(bad, 1)).hasMessageContaining("checksum mismatch");
        try (RotQuantModel model = RotQuantModel.load(bad, 1, io.rotquant.runtime.artifact.Integrity.TRUSTED)) {
            assertThat(model.spec().numLayers()).isEqualTo(5);
        }
        Files.write(bad, java.util.Arrays.copyOf(good, good.length - 1));
        assertThatThrownBy(() -> RotQuantModel.load(bad, 1, io.rotquant.runtime.artifact.Integrity.TRUSTED))
                .isInstanceOf(ArtifactException.class);
    }
}
