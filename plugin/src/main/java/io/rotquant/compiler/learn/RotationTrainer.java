package io.rotquant.compiler.learn;

import static io.rotquant.compiler.recipe.RecipeParameter.TRAIN_BATCH;

import io.rotquant.compiler.Cancellation;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.config.ModelConfig;
import io.rotquant.compiler.distributed.RankGroup;
import io.rotquant.compiler.model.LayerWeights;
import io.rotquant.compiler.model.LinearGroup;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.model.ModelWeights;
import io.rotquant.compiler.model.OnlineRotation;
import io.rotquant.compiler.model.OnlineRotations;
import io.rotquant.compiler.model.QuantSettings;
import io.rotquant.compiler.quant.WeightQuantizer;
import io.rotquant.compiler.recipe.TrainingOptions;
import io.rotquant.compiler.rotation.ModelRotator;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Rotation training as SpinQuant does it (specification.md §7) for any {@link RotationParameters}:
 * square orthogonal matrices that make R1 and the R2s, trained by Cayley SGD on next-token
 * cross-entropy of the fake-quantized model with every model weight frozen. The rotations stay outside the weights
 * (§7.2): each step rotates the fused weights in float64 inside the autograd graph, fake-quantizes
 * them (straight-through), and runs the windows of the step one at a time.
 *
 * <p>Memory: the graph from rotations to weights is cut at the fake-quantized rotated weights
 * (leaves made without a graph); each window's backward fills their gradients, and a surrogate
 * backward {@code Σ⟨W_eff, ∂L/∂W_eff⟩}, one layer at a time, carries them to R1 and R2. Only one
 * window's activations and one layer's rotation graph live at a time.
 * In a job of several ranks each runs its share of a step's windows and the matrices' gradients
 * are summed before the step, so every rank takes the same step.
 */
public final class RotationTrainer {
    private static final double MAX_GRAD_NORM = 1.0;

    private final ModelConfig config;
    private final ModelWeights fused;
    private final QuantSettings quant;
    private final ScalarType dtype;
    private final WeightQuantizer weights;
    private final TrainingOptions options;

    /**
     * @param fused the norm-fused, otherwise unrotated model (see {@link ModelRotator#fusionOnly})
     * @param quant the activation and KV quantizers of the recipe
     * @param weights the weight quantizer of the training graph, or null to train with FP weights
     */
    public RotationTrainer(ModelConfig config, ModelWeights fused, QuantSettings quant,
            WeightQuantizer weights, TrainingOptions options, ScalarType dtype) {
        this.config = config;
        this.fused = fused;
        this.quant = quant;
        this.dtype = dtype;
        this.weights = weights;
        this.options = options;
    }

    /** Whether the training graph rounds anything: weights, activations or the KV cache. */
    boolean quantizes() {
        return weights != null || quant.inputs().active() || quant.keys().active() || quant.values().active();
    }

    /** The merged R1 [d, d], one R2 per layer ([d_h, d_h] or [kv heads, d_h, d_h]), float64, and R3, R4. */
    public record Rotations(Tensor r1, List<Tensor> r2, OnlineRotations online) {
    }

    /** The trained rotations and the loss of every step (mean over its windows, before the update). */
    public record Result(Rotations rotations, double[] losses) {
    }

    /** The merged rotations of {@code parameters}' matrices (in the caller's scope). */
    public Rotations merge(RotationParameters parameters, List<Tensor> matrices) {
        List<Tensor> r2 = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            r2.add(parameters.r2(matrices, l).detach());
        }
        return new Rotations(parameters.r1(matrices).detach(), r2, parameters.online(matrices));
    }

    /**
     * Trains {@code parameters} from their initial values on {@code windows} ({@code iters × batch}
     * of them, taken in order). The matrices are float32 while training (specification.md §7.4); with
     * no steps the float64 initialisation is merged as is. Result tensors are in the caller's scope.
     */
    public Result train(RotationParameters parameters, List<long[]> windows, long seed, Consumer<String> log) {
        int steps = options.iters();
        if (windows.size() < (long) steps * options.batch()) {
            throw new IllegalArgumentException("need " + steps * options.batch() + " windows, got " + windows.size());
        }
        List<Tensor> start = parameters.initial();
        if (steps == 0) {
            return new Result(merge(parameters, start), new double[0]);
        }
        if (!quantizes()) {
            // A full-precision loss is the same under every rotation (its gradient has no component
            // along the rotations), so the steps would return the start up to rounding.
            log.accept(parameters.name() + ": nothing is quantized while training (FP weights, A16, KV16): the loss "
                    + "does not depend on the rotations, so the " + steps + " steps are skipped and the start is kept");
            return new Result(merge(parameters, start), new double[0]);
        }
        List<Tensor> params = new ArrayList<>(start.stream()
                .map(p -> NativeScope.owned(() -> p.to(ScalarType.Float).clone())).toList());
        RankGroup ranks = RankGroup.current();
        if (ranks.size() > options.batch()) {
            throw new InvalidInputException(TRAIN_BATCH.named() + " " + options.batch() + " gives " + ranks.label()
                    + " no training window: use at least as many windows per step as ranks");
        }
        CayleySgd optimizer = new CayleySgd(options.lr(), steps, seed);
        double[] losses = new double[steps];
        TrainingProgress progress = new TrainingProgress(parameters.name(), steps, log);
        for (int t = 0; t < steps; t++) {
            Cancellation.checkpoint();
            try (PointerScope scope = new PointerScope()) {
                params.forEach(p -> p.requires_grad_(true));
                losses[t] = step(parameters, params, windows.subList(t * options.batch(), (t + 1) * options.batch()));
                // Each rank's gradients come from its share of the batch: their sum is the batch's.
                params.forEach(p -> ranks.allReduceSum(p.grad()));
                torch.clip_grad_norm_(new TensorVector(params.toArray(Tensor[]::new)), MAX_GRAD_NORM);
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i);
                    Tensor next = optimizer.step(p.detach(), p.grad(), t);
                    next.retainReference();
                    p.releaseReference();
                    params.set(i, next);
                }
            }
            progress.step(t, losses[t], optimizer.learningRate(t));
        }
        Rotations trained = merge(parameters, params.stream().map(p -> p.to(ScalarType.Double)).toList());
        params.forEach(Tensor::releaseReference);
        return new Result(trained, losses);
    }

    /** The training objective (mean next-token cross-entropy) of {@code rotations} on {@code windows}, no gradients. */
    public double loss(Rotations rotations, List<long[]> windows) {
        try (PointerScope scope = new PointerScope()) {
            List<LayerWeights> layers = new ArrayList<>();
            for (int l = 0; l < config.numLayers(); l++) {
                int layer = l;
                layers.add(NativeScope.keep(() -> rotated(rotations.r1(), rotations.r2().get(layer),
                        rotations.online().r4(), layer).map(this::fakeQuantized), LayerWeights::tensors));
            }
            double total = 0;
            for (long[] window : windows) {
                try (PointerScope inner = new PointerScope()) {
                    total += windowLoss(rotations.r1(), rotations.online(), layers, window).item_double();
                }
            }
            return total / windows.size();
        }
    }

    /** Layer {@code l}'s fused weights rotated by R4 (offline half), R1 and its R2 in float64, cast to float32. */
    private LayerWeights rotated(Tensor r1, Tensor r2, OnlineRotation r4, int l) {
        LayerWeights base = fused.layer(l).map(t -> t.to(ScalarType.Double));
        base = base.withLinears(LinearGroup.DOWN, List.of(r4.apply(l, base.down())));
        LayerWeights w = ModelRotator.rotate(config, base, r1.to(ScalarType.Double), r2.to(ScalarType.Double));
        return w.map(t -> t.to(ScalarType.Float));
    }

    /**
     * One step's forward and backward on this rank's share of {@code batch}; leaves the share's
     * gradients in the parameters, returns the batch's mean loss (summed over the ranks).
     */
    double step(RotationParameters parameters, List<Tensor> params, List<long[]> batch) {
        // The leaves: every layer's fake-quantized rotated weights, made without a graph (the
        // straight-through estimator's gradient with respect to them is the one for W_eff).
        List<Tensor> values = params.stream().map(Tensor::detach).toList();
        Tensor r1 = parameters.r1(values);
        OnlineRotation r4 = parameters.online(values).r4();
        List<LayerWeights> leaves = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            int layer = l;
            leaves.add(NativeScope.keep(() -> rotated(r1, parameters.r2(values, layer), r4, layer)
                    .map(t -> fakeQuantized(t).requires_grad_(true)), LayerWeights::tensors));
        }
        double total = 0;
        for (long[] window : RankGroup.current().share(batch)) {
            try (PointerScope scope = new PointerScope()) {
                // Fresh R1, R3, R4 per window: each window's graph is walked back once, then freed.
                Tensor loss = windowLoss(parameters.r1(params), parameters.online(params), leaves, window)
                        .div(Tensors.scalar(batch.size()));
                loss.backward();
                total += loss.item_double();
            }
        }
        // Σ⟨W_eff, ∂L/∂W_eff⟩ walked back one layer at a time, so that one layer's float64 graph
        // from the matrices to its weights is alive at once (at 8B all of them would not fit a card).
        for (int l = 0; l < leaves.size(); l++) {
            try (PointerScope scope = new PointerScope()) {
                List<Tensor> effective = rotated(parameters.r1(params), parameters.r2(params, l),
                        parameters.online(params).r4(), l).tensors().toList();
                List<Tensor> leaf = leaves.get(l).tensors().toList();
                Tensor surrogate = null;
                for (int i = 0; i < effective.size(); i++) {
                    Tensor term = effective.get(i).mul(leaf.get(i).grad()).sum();
                    surrogate = surrogate == null ? term : surrogate.add(term);
                }
                surrogate.backward();
            }
        }
        return RankGroup.current().sum(total);
    }

    /** Mean next-token cross-entropy of one window through the rotated, fake-quantized layers. */
    private Tensor windowLoss(Tensor r1, OnlineRotations online, List<LayerWeights> layers, long[] window) {
        LlamaModel model = new LlamaModel(config, fused, online.appliedWith(quant), quant, dtype, fused.embed().device());
        Tensor ids = Tensors.longs(window, 1, window.length).to(model.device(), ScalarType.Long);
        Tensor[] cosSin = model.ropeTables(window.length);
        Tensor h = model.embed(ids).to(ScalarType.Double).matmul(r1.to(ScalarType.Double)).to(ScalarType.Float);
        for (int l = 0; l < layers.size(); l++) {
            h = model.layer(l, layers.get(l), h, cosSin);
        }
        // Back to the unrotated basis for the fused head (the weightless norm commutes with R1), in
        // the compute dtype of the head's weights: the layers train in float32 whatever it is.
        h = h.to(ScalarType.Double).matmul(r1.to(ScalarType.Double).t()).to(dtype);
        Tensor logits = model.head(h).squeeze(0);
        long length = window.length;
        return torch.cross_entropy_loss(logits.narrow(0, 0, length - 1), ids.squeeze(0).narrow(0, 1, length - 1));
    }

    /** Weight fake quantization (the weights are leaves or constants: nothing to pass through). */
    private Tensor fakeQuantized(Tensor weight) {
        return weights == null ? weight : weights.fakeQuantize(weight);
    }

}
