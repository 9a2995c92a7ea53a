package io.rotquant.compiler.learn;

import io.rotquant.compiler.calibration.CalibrationData;
import io.rotquant.compiler.checkpoint.Checkpoint;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.model.ModelWeights;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.model.QuantSettings;
import io.rotquant.compiler.model.WeightLoader;
import io.rotquant.compiler.pipeline.PhaseTimes;
import io.rotquant.compiler.pipeline.WeightQuantization;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.TrainingOptions;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.ModelRotator;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.tokenizer.Tokenizer;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The learned {@code --rotation} kinds, from a checkpoint to the rotator the compile applies.
 * Training sees the recipe's activation and KV quantizers, and its weight quantizer only when the
 * weights will be rounded (RTN); before GPTQ the rotations train on FP weights, as SpinQuant's
 * README prescribes (ALGORITHMS.md §6.4).
 */
public final class RotationLearning implements AutoCloseable {
    private final ModelConfig config;
    private final Recipe recipe;
    private final ModelWeights fused;
    private final SpinQuantTrainer trainer;
    private final List<long[]> windows;
    private final boolean roundedWeights;

    private RotationLearning(ModelConfig config, Recipe recipe, ModelWeights fused, SpinQuantTrainer trainer,
            List<long[]> windows, boolean roundedWeights) {
        this.config = config;
        this.recipe = recipe;
        this.fused = fused;
        this.trainer = trainer;
        this.windows = windows;
        this.roundedWeights = roundedWeights;
    }

    /** Loads the fused model and draws the training windows; close it to free the weights. */
    public static RotationLearning prepare(Checkpoint checkpoint, Tokenizer tokenizer, Recipe recipe, ComputeDType dtype) {
        ModelConfig config = checkpoint.config();
        List<long[]> windows = trainingWindows(config, tokenizer, recipe);
        ModelRotator fusion = ModelRotator.fusionOnly(config);
        WeightLoader loader = new WeightLoader(checkpoint, dtype.scalarType(), Torch.device(), fusion);
        ModelWeights fused = new ModelWeights(loader.embedding(), config.numLayers());
        try {
            WeightQuantization.fullPrecision(fused, loader, new PhaseTimes());
            WeightLoader.Head head = loader.head(fused.embed());
            fused.setHead(head.finalNorm(), head.lmHead());
        } catch (RuntimeException e) {
            fused.close();
            throw e;
        }
        QuantSettings quant = QuantSettings.of(recipe.aBits(), recipe.aClip(), recipe.kvBits(), recipe.kvClip());
        OnlineRotations online = new OnlineRotations(quant.keys().active() ? fusion.online().r3() : null,
                fusion.online().r4());
        boolean roundedWeights = recipe.quantizesWeights() && recipe.wMethod() == WeightMethod.RTN;
        SpinQuantTrainer trainer = new SpinQuantTrainer(config, fused, online, quant,
                roundedWeights ? recipe.weightQuantizer() : null, recipe.training(), dtype.scalarType());
        return new RotationLearning(config, recipe, fused, trainer, windows, roundedWeights);
    }

    public SpinQuantTrainer trainer() {
        return trainer;
    }

    /** The training windows, {@code iters × batch} of them in the order they are used. */
    public List<long[]> windows() {
        return windows;
    }

    /** Trains and returns the rotator that applies the learned rotations. */
    public ModelRotator learn(Consumer<String> log) {
        TrainingOptions options = recipe.training();
        log.accept(String.format(Locale.ROOT, "spinquant: %d iters x %d windows of %d tokens, lr %s, %s weights",
                options.iters(), options.batch(), windows.isEmpty() ? 0 : windows.get(0).length, options.lr(),
                roundedWeights ? recipe.wBits() + "-bit" : "FP"));
        SpinQuantTrainer.Rotations trained = trainer.train(windows, recipe.seed(), log).rotations();
        return new ModelRotator(config, trained.r1(), trained.r2());
    }

    @Override
    public void close() {
        fused.close();
    }

    private static List<long[]> trainingWindows(ModelConfig config, Tokenizer tokenizer, Recipe recipe) {
        TrainingOptions options = recipe.training();
        if (options.iters() == 0) {
            return List.of();
        }
        int seqlen = options.seqlen() > 0 ? config.checkWindow(options.seqlen()) : recipe.windowLength(config);
        String name = recipe.calibration() == null ? CalibrationData.DEFAULT_NAME : recipe.calibration().toString();
        int count = options.iters() * options.batch();
        return CalibrationData.windows(name, CalibrationData.text(recipe.calibration()), tokenizer, count, seqlen,
                recipe.seed(), "--iters " + options.iters() + " x --train-batch " + options.batch() + " = " + count
                        + " windows");
    }
}
