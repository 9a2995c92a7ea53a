package io.rotquant.compiler;

import static io.rotquant.compiler.recipe.RecipeParameter.W_GROUP;

import io.rotquant.compiler.calibration.CalibrationData;
import io.rotquant.compiler.checkpoint.Checkpoint;
import io.rotquant.compiler.learn.RotationLearning;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.model.ModelWeights;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.model.QuantSettings;
import io.rotquant.compiler.model.WeightLoader;
import io.rotquant.compiler.pipeline.PhaseTimes;
import io.rotquant.compiler.pipeline.WeightQuantization;
import io.rotquant.compiler.quant.Gptq;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.ModelRotator;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.tokenizer.Tokenizer;
import io.rotquant.runtime.tokenizer.TokenizerException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A checkpoint prepared as a recipe says: loaded, rotated (norm fusion, R1, R2, offline R4), its
 * weights fake-quantized (RTN or GPTQ), with the online rotations and the activation/KV quantizers
 * in its forward pass. Owns the weights; close it to free them. Records the time of each phase.
 */
public final class PreparedModel implements AutoCloseable {
    private final Checkpoint checkpoint;
    private final Tokenizer tokenizer;
    private final ModelWeights weights;
    private final OnlineRotations rotations;
    private final ComputeDType dtype;
    private final LlamaModel model;
    private final Map<String, Double> phaseSeconds;
    private final Recipe recipe;

    private PreparedModel(Checkpoint checkpoint, Tokenizer tokenizer, ModelWeights weights, OnlineRotations rotations,
            ComputeDType dtype, Recipe recipe, Map<String, Double> phaseSeconds) {
        this.checkpoint = checkpoint;
        this.tokenizer = tokenizer;
        this.weights = weights;
        this.rotations = rotations;
        this.dtype = dtype;
        this.model = withActivations(recipe.aBits(), recipe.aClip(), recipe.kvBits(), recipe.kvClip());
        this.phaseSeconds = phaseSeconds;
        this.recipe = recipe;
    }

    /**
     * Loads, rotates and quantizes the checkpoint one layer at a time (the embedding first, the
     * head last), so only one layer is ever held in full precision during a quantizing compile.
     */
    public static PreparedModel open(Path directory, Recipe recipe, ComputeDType dtype, Consumer<String> log) {
        long start = System.nanoTime();
        PhaseTimes times = new PhaseTimes();
        Checkpoint checkpoint = Checkpoint.open(directory);
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizer.load(directory.resolve("tokenizer.json"));
        } catch (TokenizerException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
        if (tokenizer.vocabularySize() > checkpoint.config().vocabSize()) {
            throw new InvalidInputException(directory.resolve("tokenizer.json") + ": has " + tokenizer.vocabularySize()
                    + " tokens but config.json field 'vocab_size' is " + checkpoint.config().vocabSize());
        }
        checkGroupSize(recipe, checkpoint.config());
        ModelRotator rotator = rotator(checkpoint, tokenizer, recipe, dtype, times, log);
        OnlineRotations online = rotator == null ? OnlineRotations.NONE : rotator.online();
        WeightLoader loader = new WeightLoader(checkpoint, dtype.scalarType(), Torch.device(), rotator);
        ModelWeights weights = new ModelWeights(times.time("load+rotate", loader::embedding),
                checkpoint.config().numLayers());
        try {
            LlamaModel fp = new LlamaModel(checkpoint.config(), weights, online, QuantSettings.NONE, dtype.scalarType(),
                    Torch.device());
            streamLayers(fp, loader, recipe, dtype, tokenizer, times, log);
            WeightLoader.Head head = times.time("load+rotate", () -> loader.head(weights.embed()));
            weights.setHead(head.finalNorm(), head.lmHead());
            log.accept(String.format(Locale.ROOT, "prepared %s (%s) in %.1f s: %s", directory, recipe.label(),
                    seconds(start), PhaseTimes.summary(times.seconds())));
            return new PreparedModel(checkpoint, tokenizer, weights, online, dtype, recipe, times.seconds());
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** The recipe's rotations: none, drawn from the seed, read from the file that keeps them, or learned on calibration data. */
    private static ModelRotator rotator(Checkpoint checkpoint, Tokenizer tokenizer, Recipe recipe, ComputeDType dtype,
            PhaseTimes times, Consumer<String> log) {
        RotationKind kind = recipe.rotation();
        if (kind == RotationKind.NONE) {
            return null;
        }
        if (RotationLearning.kept(recipe)) {
            return times.time("read rotations", () -> RotationLearning.read(checkpoint, recipe, log));
        }
        if (kind.learned()) {
            return times.time("learn rotations", () -> {
                try (RotationLearning learning = RotationLearning.prepare(checkpoint, tokenizer, recipe, dtype)) {
                    return learning.learn(log);
                }
            });
        }
        return ModelRotator.create(checkpoint.config(), kind, recipe.seed(), Torch.device());
    }

    /** Every linear's input dimension must be a multiple of the weight group size. */
    private static void checkGroupSize(Recipe recipe, io.rotquant.compiler.config.ModelConfig c) {
        if (!recipe.quantizesWeights() || recipe.wGroup() == 0) {
            return;
        }
        Map<String, Integer> inputs = new LinkedHashMap<>();
        inputs.put("hidden_size", c.hiddenSize());
        inputs.put("num_attention_heads*head_dim", c.qDim());
        inputs.put("intermediate_size", c.intermediateSize());
        inputs.forEach((field, size) -> {
            if (size % recipe.wGroup() != 0) {
                throw new InvalidInputException(W_GROUP.named() + " " + recipe.wGroup() + " does not divide " + field + " = "
                        + size + " (config.json)");
            }
        });
    }

    private static void streamLayers(LlamaModel fp, WeightLoader loader, Recipe recipe, ComputeDType dtype,
            Tokenizer tokenizer, PhaseTimes times, Consumer<String> log) {
        if (!recipe.quantizesWeights()) {
            WeightQuantization.fullPrecision(fp.weights(), loader, times);
        } else if (recipe.wMethod() == WeightMethod.RTN) {
            WeightQuantization.rtn(fp.weights(), loader, recipe.weightQuantizer(), times);
        } else {
            int seqlen = recipe.windowLength(fp.config());
            String name = recipe.calibration() == null ? CalibrationData.DEFAULT_NAME : recipe.calibration().toString();
            List<long[]> windows = times.time("calibration data", () -> CalibrationData.windows(name,
                    CalibrationData.text(recipe.calibration()), tokenizer, recipe.nsamples(), seqlen, recipe.seed()));
            log.accept(String.format(Locale.ROOT, "calibration: %d windows of %d tokens from %s", windows.size(), seqlen,
                    name));
            WeightQuantization.gptq(fp, loader, new Gptq(recipe.weightQuantizer(), recipe.gptq()), windows,
                    dtype == ComputeDType.TF32, times, log);
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The forward pass with the recipe's activation and KV quantizers. */
    public LlamaModel model() {
        return model;
    }

    /**
     * The same weights under other activation/KV settings (weight quantization does not depend on
     * them: GPTQ calibrates with activations unquantized). R3 is applied only when K is quantized
     * (specification.md §3.3): without a K quantizer it is an identity.
     */
    public LlamaModel withActivations(int aBits, double aClip, int kvBits, double kvClip) {
        QuantSettings quant = QuantSettings.of(aBits, aClip, kvBits, kvClip);
        return new LlamaModel(checkpoint.config(), weights, rotations.appliedWith(quant), quant, dtype.scalarType(),
                Torch.device());
    }

    public Recipe recipe() {
        return recipe;
    }

    /** The prepared weights (quantized layers as codes and scales). */
    public ModelWeights weights() {
        return weights;
    }

    /** The online rotations the recipe's forward pass applies (R3 only when K is quantized). */
    public OnlineRotations onlineRotations() {
        return model.online();
    }

    /** Seconds spent in each preparation phase, in order. */
    public Map<String, Double> phaseSeconds() {
        return java.util.Collections.unmodifiableMap(phaseSeconds);
    }

    @Override
    public void close() {
        weights.close();
    }
}
