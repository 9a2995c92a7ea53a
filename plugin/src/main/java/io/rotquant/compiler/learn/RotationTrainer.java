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
import io.rotquant.compiler.recipe.TrainMemory;
import io.rotquant.compiler.recipe.TrainingOptions;
import io.rotquant.compiler.rotation.ModelRotator;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
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

    /**
     * The trained rotations, the matrices they were merged from (float64) and the loss of every step
     * (mean over its windows, before the update).
     */
    public record Result(Rotations rotations, List<Tensor> matrices, double[] losses) {
    }

    /** The merged rotations of {@code parameters}' matrices (in the caller's scope). */
    public Rotations merge(RotationParameters parameters, List<Tensor> matrices) {
        return merge(config, parameters, matrices);
    }

    /** As {@link #merge(RotationParameters, List)}, for a model of {@code config}'s shape, without a trainer. */
    static Rotations merge(ModelConfig config, RotationParameters parameters, List<Tensor> matrices) {
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
            return new Result(merge(parameters, start), start, new double[0]);
        }
        if (!quantizes()) {
            // A full-precision loss is the same under every rotation (its gradient has no component
            // along the rotations), so the steps would return the start up to rounding.
            log.accept(parameters.name() + ": nothing is quantized while training (FP weights, A16, KV16): the loss "
                    + "does not depend on the rotations, so the " + steps + " steps are skipped and the start is kept");
            return new Result(merge(parameters, start), start, new double[0]);
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
            double gradNorm;
            try (PointerScope scope = new PointerScope()) {
                params.forEach(p -> p.requires_grad_(true));
                List<long[]> batch = windows.subList(t * options.batch(), (t + 1) * options.batch());
                losses[t] = options.memory() == TrainMemory.LAYER ? layerStep(parameters, params, batch)
                        : step(parameters, params, batch);
                // Each rank's gradients come from its share of the batch: their sum is the batch's.
                params.forEach(p -> ranks.allReduceSum(p.grad()));
                gradNorm = torch.clip_grad_norm_(new TensorVector(params.toArray(Tensor[]::new)), MAX_GRAD_NORM);
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i);
                    Tensor next = optimizer.step(p.detach(), p.grad(), t);
                    next.retainReference();
                    p.releaseReference();
                    params.set(i, next);
                }
            }
            progress.step(t, losses[t], gradNorm, optimizer.learningRate(t));
        }
        List<Tensor> matrices = params.stream().map(p -> p.to(ScalarType.Double)).toList();
        params.forEach(Tensor::releaseReference);
        return new Result(merge(parameters, matrices), matrices, losses);
    }

    /** The training objective (mean next-token cross-entropy) of {@code rotations} on {@code windows}, no gradients. */
    public double loss(Rotations rotations, List<long[]> windows) {
        try (PointerScope scope = new PointerScope()) {
            List<LayerWeights> layers = new ArrayList<>();
            for (int l = 0; l < config.numLayers(); l++) {
                int layer = l;
                layers.add(NativeScope.keep(() -> rotated(rotations.r1(), rotations.r2().get(layer),
                        rotations.online().r4(), layer).mapLinears(this::fakeQuantized), LayerWeights::tensors));
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
        // The leaves: every layer's fake-quantized rotated weights (and q/k/v biases), made without a graph (the
        // straight-through estimator's gradient with respect to them is the one for W_eff).
        List<Tensor> values = params.stream().map(Tensor::detach).toList();
        Tensor r1 = parameters.r1(values);
        OnlineRotation r4 = parameters.online(values).r4();
        List<LayerWeights> leaves = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            int layer = l;
            leaves.add(NativeScope.keep(() -> rotated(r1, parameters.r2(values, layer), r4, layer)
                    .mapLinears(this::fakeQuantized).map(t -> t.requires_grad_(true)), LayerWeights::tensors));
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
        // Walked back one layer at a time, so that one layer's float64 graph from the matrices to
        // its weights is alive at once (at 8B all of them would not fit a card).
        for (int l = 0; l < leaves.size(); l++) {
            carryToMatrices(parameters, params, leaves.get(l), l);
        }
        return RankGroup.current().sum(total);
    }

    /**
     * As {@link #step}, with one layer's fake-quantized weights alive at a time: the forward keeps
     * each layer's input for every window of the share (no graph), then the backward walks the
     * layers from the last, rebuilding a layer's weights and its forward from the kept inputs to
     * carry the windows' gradients through it, and that layer's gradients on to the matrices. It
     * holds the fused weights, the kept inputs ({@code (layers + 1) × windows} residual streams) and
     * one layer's graph, where {@link #step} holds every layer's weights and their gradients; it
     * rotates the weights once more per step (rounding them again with the forward's scales) and
     * runs the layers' forward twice. The matrices' gradients are {@link #step}'s summed in another
     * order (equal up to rounding).
     */
    double layerStep(RotationParameters parameters, List<Tensor> params, List<long[]> batch) {
        List<long[]> share = RankGroup.current().share(batch);
        int n = share.size();
        List<Tensor> values = params.stream().map(Tensor::detach).toList();
        Tensor r1 = parameters.r1(values);
        OnlineRotations online = parameters.online(values);
        LlamaModel fixed = model(online);
        int layers = config.numLayers();
        List<Tensor[]> cosSin = share.stream().map(w -> fixed.ropeTables(w.length)).toList();
        Tensor[][] inputs = new Tensor[layers + 1][];
        inputs[0] = NativeScope.keep(() -> share.stream().map(w -> embedded(fixed, r1, w)).toArray(Tensor[]::new),
                Arrays::stream);
        // Each layer's weight scales are kept too: the backward makes the same weights again and
        // rounds them with these, without the clip search.
        List<List<Tensor>> scales = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int layer = l;
            LayerForward forward = NativeScope.keep(() -> {
                List<Tensor> found = new ArrayList<>();
                // In a scope of its own: the rotation's float64 copies are freed before the windows run.
                LayerWeights rounded = NativeScope.keep(() -> rotated(r1, parameters.r2(values, layer), online.r4(), layer)
                        .mapLinears(t -> {
                            if (weights == null) {
                                return t;
                            }
                            Tensor scale = weights.weightScales(t);
                            found.add(scale);
                            return weights.fakeQuantize(t, scale);
                        }), made -> Stream.concat(made.tensors(), found.stream()));
                Tensor[] next = new Tensor[n];
                for (int w = 0; w < n; w++) {
                    next[w] = fixed.layer(layer, rounded, inputs[layer][w], cosSin.get(w));
                }
                return new LayerForward(next, found);
            }, LayerForward::tensors);
            inputs[l + 1] = forward.outputs();
            scales.add(forward.scales());
        }
        // Each window's loss from the last stream; its gradient there starts the walk back. The
        // gradients are owned here, so that each layer's are freed once the next ones are made.
        Tensor[] grads = new Tensor[n];
        double total = 0;
        for (int w = 0; w < n; w++) {
            long[] window = share.get(w);
            Tensor h = inputs[layers][w].detach().requires_grad_(true);
            total += NativeScope.keep(() -> {
                Tensor loss = headLoss(fixed, parameters.r1(params), h, window).div(Tensors.scalar(batch.size()));
                loss.backward();
                return loss.detach();
            }).item_double();
            // grad() is a view of h's own field: detach() makes a handle that outlives h.
            grads[w] = NativeScope.owned(() -> h.grad().detach());
        }
        for (int l = layers - 1; l >= 0; l--) {
            Tensor[] next = new Tensor[n];
            try (PointerScope scope = new PointerScope()) {
                Iterator<Tensor> scale = scales.get(l).iterator();
                int layer = l;
                LayerWeights leaves = NativeScope.keep(() -> rotated(r1, parameters.r2(values, layer), online.r4(), layer)
                        .mapLinears(t -> weights == null ? t : weights.fakeQuantize(t, scale.next()))
                        .map(t -> t.requires_grad_(true)),
                        LayerWeights::tensors);
                for (int w = 0; w < n; w++) {
                    Tensor x = inputs[l][w].detach().requires_grad_(true);
                    Tensor gradient = grads[w];
                    Tensor[] stream = cosSin.get(w);
                    NativeScope.keep(() -> {
                        // Fresh R3 and R4 per window: each window's graph is walked back once.
                        model(parameters.online(params)).layer(layer, leaves, x, stream).mul(gradient).sum().backward();
                        return null;
                    });
                    next[w] = NativeScope.owned(() -> x.grad().detach());
                }
                carryToMatrices(parameters, params, leaves, l);
            }
            for (int w = 0; w < n; w++) {
                grads[w].releaseReference();
                grads[w] = next[w];
            }
        }
        for (int w = 0; w < n; w++) {
            long[] window = share.get(w);
            Tensor gradient = grads[w];
            NativeScope.keep(() -> {
                embedded(fixed, parameters.r1(params), window).mul(gradient).sum().backward();
                return null;
            });
            gradient.releaseReference();
        }
        return RankGroup.current().sum(total);
    }

    /** A layer's outputs for the step's windows, and the scales its weights were rounded with (none for FP weights). */
    private record LayerForward(Tensor[] outputs, List<Tensor> scales) {
        Stream<Tensor> tensors() {
            return Stream.concat(Arrays.stream(outputs), scales.stream());
        }
    }

    /**
     * Carries the gradients in layer {@code l}'s leaves to the matrices: the backward of
     * Σ⟨W_eff, ∂L/∂W_eff⟩ with W_eff rotated from the matrices in float64 inside the graph.
     */
    private void carryToMatrices(RotationParameters parameters, List<Tensor> params, LayerWeights leaves, int l) {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> effective = rotated(parameters.r1(params), parameters.r2(params, l),
                    parameters.online(params).r4(), l).tensors().toList();
            List<Tensor> leaf = leaves.tensors().toList();
            Tensor surrogate = null;
            for (int i = 0; i < effective.size(); i++) {
                Tensor term = effective.get(i).mul(leaf.get(i).grad()).sum();
                surrogate = surrogate == null ? term : surrogate.add(term);
            }
            surrogate.backward();
        }
    }

    /** Mean next-token cross-entropy of one window through the rotated, fake-quantized layers. */
    private Tensor windowLoss(Tensor r1, OnlineRotations online, List<LayerWeights> layers, long[] window) {
        LlamaModel model = model(online);
        Tensor[] cosSin = model.ropeTables(window.length);
        Tensor h = embedded(model, r1, window);
        for (int l = 0; l < layers.size(); l++) {
            h = model.layer(l, layers.get(l), h, cosSin);
        }
        return headLoss(model, r1, h, window);
    }

    /** The fused model with {@code online}'s rotations applied in its activations. */
    private LlamaModel model(OnlineRotations online) {
        return new LlamaModel(config, fused, online.appliedWith(quant), quant, dtype, fused.embed().device());
    }

    private static Tensor ids(LlamaModel model, long[] window) {
        return Tensors.longs(window, 1, window.length).to(model.device(), ScalarType.Long);
    }

    /** The residual stream entering layer 0, rotated by R1 (float32). */
    private static Tensor embedded(LlamaModel model, Tensor r1, long[] window) {
        return model.embed(ids(model, window)).to(ScalarType.Double).matmul(r1.to(ScalarType.Double)).to(ScalarType.Float);
    }

    /** Mean next-token cross-entropy of the window from the residual stream after the last layer. */
    private Tensor headLoss(LlamaModel model, Tensor r1, Tensor h, long[] window) {
        // Back to the unrotated basis for the fused head (the weightless norm commutes with R1), in
        // the compute dtype of the head's weights: the layers train in float32 whatever it is.
        Tensor logits = model.head(h.to(ScalarType.Double).matmul(r1.to(ScalarType.Double).t()).to(dtype)).squeeze(0);
        long length = window.length;
        Tensor ids = ids(model, window);
        return torch.cross_entropy_loss(logits.narrow(0, 0, length - 1), ids.squeeze(0).narrow(0, 1, length - 1));
    }

    /** Weight fake quantization (the weights are leaves or constants: nothing to pass through). */
    private Tensor fakeQuantized(Tensor weight) {
        return weights == null ? weight : weights.fakeQuantize(weight);
    }

}
