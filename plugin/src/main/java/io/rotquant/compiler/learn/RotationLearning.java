package io.rotquant.compiler.learn;

import static io.rotquant.compiler.recipe.RecipeParameter.INIT;
import static io.rotquant.compiler.recipe.RecipeParameter.ITERS;
import static io.rotquant.compiler.recipe.RecipeParameter.ROTATION_VARIANT;
import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_BATCH;

import io.rotquant.compiler.calibration.CalibrationData;
import io.rotquant.compiler.checkpoint.Checkpoint;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.distributed.RankGroup;
import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.model.ModelWeights;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.model.QuantSettings;
import io.rotquant.compiler.model.WeightLoader;
import io.rotquant.compiler.pipeline.PhaseTimes;
import io.rotquant.compiler.pipeline.WeightQuantization;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.recipe.DualVariant;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RotationInit;
import io.rotquant.compiler.recipe.TrainingOptions;
import io.rotquant.compiler.recipe.WeightMethod;
import io.rotquant.compiler.rotation.ModelRotator;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.rotation.RandomRotations;
import io.rotquant.compiler.rotation.RotationKind;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.compiler.torch.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import io.rotquant.runtime.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The learned {@code --rotation} kinds, from a checkpoint to the rotator the compile applies. Both
 * start from the fused, unrotated model (norms fused, R4 offline) and keep the fixed online
 * rotations. SpinQuant's training sees the recipe's activation and KV quantizers, and its weight
 * quantizer only when the weights will be rounded (RTN); before GPTQ the rotations train on FP
 * weights, as SpinQuant's README prescribes (specification.md §6.4). DFRot never involves weights.
 */
public final class RotationLearning implements AutoCloseable {
    /** DFRot's published number of alternations, used when its R1 starts DuaRot's training. */
    private static final int DFROT_ALTERNATIONS = 100;

    private final ModelConfig config;
    /** The checkpoint's directory, which a rotations file records its files from. */
    private final Path model;
    private final Recipe recipe;
    private final ModelWeights fused;
    private final ScalarType dtype;
    private final List<long[]> windows;

    private RotationLearning(ModelConfig config, Path model, Recipe recipe, ModelWeights fused, ScalarType dtype,
            List<long[]> windows) {
        this.config = config;
        this.model = model;
        this.recipe = recipe;
        this.fused = fused;
        this.dtype = dtype;
        this.windows = windows;
    }

    /** Loads the fused model and draws the calibration windows; close it to free the weights. */
    public static RotationLearning prepare(Checkpoint checkpoint, Tokenizer tokenizer, Recipe recipe, ComputeDType dtype) {
        if (!recipe.rotation().learned()) {
            throw new IllegalArgumentException("rotation '" + recipe.rotation().label() + "' is not learned");
        }
        ModelConfig config = checkpoint.config();
        List<long[]> windows = windows(config, tokenizer, recipe);
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
        return new RotationLearning(config, checkpoint.directory(), recipe, fused, dtype.scalarType(), windows);
    }

    /** The calibration windows in the order they are used. */
    public List<long[]> windows() {
        return windows;
    }

    /** The rotation trainer on the fused model, with the recipe's quantizers. */
    public RotationTrainer trainer() {
        return new RotationTrainer(config, fused, quantSettings(), roundedWeights() ? recipe.weightQuantizer() : null,
                recipe.training(), dtype);
    }

    private QuantSettings quantSettings() {
        return quantSettings(recipe);
    }

    private static QuantSettings quantSettings(Recipe recipe) {
        return QuantSettings.of(recipe.aBits(), recipe.aClip(), recipe.kvBits(), recipe.kvClip());
    }

    private boolean roundedWeights() {
        return recipe.quantizesWeights() && recipe.wMethod() == WeightMethod.RTN;
    }

    /**
     * Whether {@code recipe}'s learned matrices are kept in a file that exists: {@link #read} then
     * gives its rotator, and nothing needs to be prepared or learned.
     */
    public static boolean kept(Recipe recipe) {
        Path file = recipe.training().rotations();
        return recipe.rotation().learned() && file != null && Files.exists(file);
    }

    /**
     * The rotator of the matrices kept in {@code recipe}'s rotations file ({@link RotationsFile}),
     * checked against the recipe and the model's shape: no weights are loaded and nothing is learned.
     */
    public static ModelRotator read(Checkpoint checkpoint, Recipe recipe, Consumer<String> log) {
        ModelConfig config = checkpoint.config();
        Path file = recipe.training().rotations();
        List<Tensor> matrices = RotationsFile.read(file, recipe, config, checkpoint.directory(), Torch.device());
        log.accept(String.format(Locale.ROOT, "%s: %s read from %s (learned under this recipe): no learning",
                recipe.rotation().label(), matrices(matrices.size()), file));
        return switch (recipe.rotation()) {
            case SPINQUANT, DUAROT -> {
                // The start only gives the shapes here, so DuaRot's DFRot start is not computed.
                RotationParameters parameters = parameters(config, recipe, () -> matrices.get(0));
                RotationsFile.checkShapes(file, matrices, parameters.initial().stream().map(Tensors::shape).toList());
                yield rotator(config, RotationTrainer.merge(config, parameters, matrices));
            }
            case DFROT -> {
                long d = config.hiddenSize();
                RotationsFile.checkShapes(file, matrices, List.of(new long[] {d, d}));
                yield dfRotRotator(config, recipe, matrices.get(0));
            }
            default -> throw new IllegalStateException("not a learned rotation: " + recipe.rotation());
        };
    }

    /**
     * Learns the rotations and returns the rotator that applies them; with a rotations file, the
     * learned matrices are written to it (by rank 0 of a job). A file that already exists is for
     * {@link #read}, before anything is prepared ({@link #kept}).
     */
    public ModelRotator learn(Consumer<String> log) {
        Path file = recipe.training().rotations();
        if (file != null) {
            RotationsFile.checkWritable(file);
        }
        Learned learned = switch (recipe.rotation()) {
            case SPINQUANT, DUAROT -> trained(parameters(log), log);
            case DFROT -> dfRot(log);
            default -> throw new IllegalStateException("not a learned rotation: " + recipe.rotation());
        };
        if (file != null && RankGroup.current().leader()) {
            RotationsFile.write(file, recipe, config, model, learned.matrices());
            log.accept(String.format(Locale.ROOT, "%s: %s kept in %s (a compile of this recipe reads them)",
                    recipe.rotation().label(), matrices(learned.matrices().size()), file));
        }
        return learned.rotator();
    }

    private static String matrices(int count) {
        return count == 1 ? "1 learned matrix" : count + " learned matrices";
    }

    /** A learned rotator and the matrices it was made from, as {@link RotationsFile} keeps them. */
    private record Learned(ModelRotator rotator, List<Tensor> matrices) {
    }

    /** The trainable matrices of the recipe's Cayley-trained method. */
    public RotationParameters parameters() {
        return parameters(line -> { });
    }

    /**
     * As above; with {@code --init dfrot} DuaRot's R_G starts at DFRot's R1 (its published 100
     * alternations on the first training window), which is computed here and logged.
     */
    private RotationParameters parameters(Consumer<String> log) {
        return parameters(config, recipe, () -> dfRotR1(windows.get(0), DFROT_ALTERNATIONS, log));
    }

    /**
     * The matrices of {@code recipe}'s method; {@code dfRotStart} gives DuaRot's start under
     * {@code --init dfrot}, and is called only then.
     */
    private static RotationParameters parameters(ModelConfig config, Recipe recipe, Supplier<Tensor> dfRotStart) {
        TrainingOptions o = recipe.training();
        return switch (recipe.rotation()) {
            case SPINQUANT -> new SpinQuantParameters(config, recipe.seed(), Torch.device());
            case DUAROT -> {
                Tensor globalStart = null;
                if (o.init() == RotationInit.DFROT) {
                    if (o.variant() == DualVariant.LOCAL) {
                        throw new InvalidInputException(INIT.named() + " dfrot starts the global factor; " + ROTATION_VARIANT.named() + " local has none");
                    }
                    globalStart = dfRotStart.get();
                }
                yield new DuaRotParameters(config, recipe.seed(), Torch.device(), o.variant(), o.localBlock(), o.init(),
                        globalStart, o.online(), o.onlineThreshold(), quantSettings(recipe).keys().active());
            }
            default -> throw new IllegalStateException("not a trained rotation: " + recipe.rotation());
        };
    }

    private Learned trained(RotationParameters parameters, Consumer<String> log) {
        TrainingOptions options = recipe.training();
        log.accept(String.format(Locale.ROOT, "%s: %d iters x %d windows of %d tokens, lr %s, %s weights",
                parameters.name(), options.iters(), options.batch(), windows.isEmpty() ? 0 : windows.get(0).length,
                options.lr(), roundedWeights() ? recipe.wBits() + "-bit" : "FP"));
        OnlineRotations plan = parameters.online(parameters.initial());
        log.accept(String.format(Locale.ROOT, "%s: online rotations R3 %s, R4 %s", parameters.name(),
                quantSettings().keys().active() ? plan.r3() : "not applied (KV16)", plan.r4()));
        RotationTrainer trainer = trainer();
        RotationTrainer.Result result = trainer.train(parameters, windows, recipe.seed(), log);
        RotationTrainer.Rotations trained = result.rotations();
        if (result.losses().length > 0) {
            // The steps' losses are on different windows each and follow their difficulty; the
            // first batch scored again with the trained rotations shows what the steps gained.
            List<long[]> first = windows.subList(0, options.batch());
            log.accept(String.format(Locale.ROOT, "%s: loss on the first step's %d windows %.4f at the start, %.4f trained",
                    parameters.name(), first.size(), result.losses()[0], trainer.loss(trained, first)));
        }
        return new Learned(rotator(config, trained), result.matrices());
    }

    private static ModelRotator rotator(ModelConfig config, RotationTrainer.Rotations rotations) {
        return new ModelRotator(config, rotations.r1(), rotations.r2(), rotations.online().r3(), rotations.online().r4());
    }

    /** DFRot (specification.md §9): R1 refined from the randomized Hadamard of the seed; R2 as QuaRot's. */
    private Learned dfRot(Consumer<String> log) {
        Tensor r1 = dfRotR1(windows.get(0), recipe.training().iters(), log);
        return new Learned(dfRotRotator(config, recipe, r1), List.of(r1));
    }

    private static ModelRotator dfRotRotator(ModelConfig config, Recipe recipe, Tensor r1) {
        return new ModelRotator(config, r1, ModelRotator.perLayerR2(config, new RandomRotations(recipe.seed()),
                Torch.device()));
    }

    /** DFRot's R1 from the block inputs of {@code window}, float64 on the device. */
    private Tensor dfRotR1(long[] window, int alternations, Consumer<String> log) {
        long start = System.nanoTime();
        RandomRotations random = new RandomRotations(recipe.seed());
        LlamaModel model = new LlamaModel(config, fused, OnlineRotations.NONE, QuantSettings.NONE, dtype, Torch.device());
        Tensor activations = BlockInputs.collect(model, window);
        Tensor massive = WeightedProcrustes.massiveTokens(activations,
                random.orthogonal(config.hiddenSize(), "DFRot massive-token test").to(ScalarType.Double));
        Tensor r1 = random.randomizedHadamard(config.hiddenSize(), "R1", "hidden_size");
        WeightedProcrustes.Result result = WeightedProcrustes.refine(activations,
                WeightedProcrustes.rowWeights(massive, recipe.training().alpha()), r1, alternations);
        log.accept(String.format(Locale.ROOT, "dfrot: %d activation rows, %d massive (weight %s), %d alternations, "
                        + "weighted loss %.6g -> %.6g in %.1f s", activations.size(0), massive.sum().item_long(),
                recipe.training().alpha(), alternations, result.initialLoss(), result.finalLoss(),
                (System.nanoTime() - start) / 1e9));
        return result.rotation().to(Torch.device(), ScalarType.Double);
    }

    @Override
    public void close() {
        fused.close();
    }

    /** SpinQuant, DuaRot: iters × batch training windows; DFRot: one window (specification.md §9.2). */
    private static List<long[]> windows(ModelConfig config, Tokenizer tokenizer, Recipe recipe) {
        TrainingOptions options = recipe.training();
        int seqlen = options.seqlen() > 0 ? config.checkWindow(options.seqlen()) : recipe.windowLength(config);
        String name = recipe.calibration() == null ? CalibrationData.DEFAULT_NAME : recipe.calibration().toString();
        String text = CalibrationData.text(recipe.calibration());
        if (recipe.rotation() == RotationKind.DFROT) {
            return CalibrationData.windows(name, text, tokenizer, 1, seqlen, recipe.seed(), "DFRot's calibration window");
        }
        if (options.iters() == 0) {
            return List.of();
        }
        int count = options.iters() * options.batch();
        return CalibrationData.epochs(name, text, tokenizer, count, seqlen, recipe.seed(),
                ITERS.named() + " " + options.iters() + " x " + TRAIN_BATCH.named() + " " + options.batch() + " = " + count + " windows");
    }
}
