package io.rotquant.compiler.pipeline;

import static io.rotquant.compiler.recipe.RecipeParameter.NSAMPLES;

import io.rotquant.compiler.Cancellation;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.distributed.RankGroup;
import io.rotquant.compiler.model.LayerWeights;
import io.rotquant.compiler.model.LinearGroup;
import io.rotquant.compiler.model.LinearInputObserver;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.model.ModelWeights;
import io.rotquant.compiler.model.QuantizedLayer;
import io.rotquant.compiler.model.WeightLoader;
import io.rotquant.compiler.quant.Gptq;
import io.rotquant.compiler.quant.QuantizedWeight;
import io.rotquant.compiler.quant.WeightQuantizer;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.compiler.torch.Torch;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Streams the layers of a checkpoint from the loader into a model's weights, one layer at a time:
 * kept as they are, or quantized (RTN per linear, or layer-sequential GPTQ) and then kept only as
 * codes and scales. GPTQ must run on a model without activation quantization: its Hessians see
 * full-precision (rotated) inputs, as in the references.
 */
public final class WeightQuantization {
    private WeightQuantization() {
    }

    /** Every layer as loaded. */
    public static void fullPrecision(ModelWeights weights, WeightLoader loader, PhaseTimes times) {
        for (int l = 0; l < weights.numLayers(); l++) {
            Cancellation.checkpoint();
            int layer = l;
            weights.setLayer(l, times.time("load+rotate", () -> loader.layer(layer)));
        }
    }

    /** Round-to-nearest (with the quantizer's clip search) for every linear. */
    public static void rtn(ModelWeights weights, WeightLoader loader, WeightQuantizer quantizer, PhaseTimes times) {
        for (int l = 0; l < weights.numLayers(); l++) {
            Cancellation.checkpoint();
            int layer = l;
            LayerWeights dense = times.time("load+rotate", () -> loader.layer(layer));
            weights.setLayer(l, dense);
            Map<LinearGroup, List<QuantizedWeight>> quantized = new EnumMap<>(LinearGroup.class);
            times.time("rtn", () -> {
                for (LinearGroup group : LinearGroup.values()) {
                    quantized.put(group, dense.linears(group).stream()
                            .map(w -> owned(() -> Torch.elementwise(() -> quantizer.quantize(w)))).toList());
                }
            });
            weights.setLayer(l, QuantizedLayer.of(dense, quantized));
        }
    }

    /**
     * Layer-sequential GPTQ: for each layer and each linear group in forward order, accumulate
     * H = 2/N·Σ xᵀx over the calibration windows from the inputs the (partly quantized) model
     * actually produces, quantize the group, then move every window's residual stream through
     * the finished layer, in place (past attention once q/k/v/o are done, then past the MLP).
     * {@code log} hears one line per layer. With {@code tf32}, the calibration forward passes and
     * Hessians run on a GPU's TF32 tensor cores (ComputeDType.TF32).
     */
    public static void gptq(LlamaModel model, WeightLoader loader, Gptq gptq, List<long[]> windows, boolean tf32,
            PhaseTimes times, Consumer<String> log) {
        ModelWeights weights = model.weights();
        int length = windows.get(0).length;
        // In a job of several ranks each streams its share of the windows; the Hessians are summed.
        RankGroup ranks = RankGroup.current();
        List<long[]> mine = ranks.share(windows);
        if (mine.isEmpty()) {
            throw new InvalidInputException(NSAMPLES.named() + " " + windows.size() + " gives " + ranks.label()
                    + " no calibration window: use at least as many windows as ranks");
        }
        CalibrationMemory.check(model.config(), mine.size(), length);
        // Where memory allows, a Hessian pass keeps what o_proj and down_proj saw, and the stream
        // moves past each half-layer with that linear alone instead of running the half again.
        List<Tensor> kept = CalibrationMemory.keepsLinearInputs(model.config(), mine.size(), length)
                ? new ArrayList<>() : null;
        Tensor[] rope;
        try (PointerScope scope = new PointerScope()) {
            rope = model.ropeTables(length);
            rope[0].retainReference();
            rope[1].retainReference();
        }
        List<Tensor> residuals = new ArrayList<>();
        try {
            times.time("calibration forward", () -> {
                for (long[] ids : mine) {
                    residuals.add(NativeScope.owned(() -> model.embed(Tensors.longs(ids, 1, length)
                            .to(model.device(), ScalarType.Long))));
                }
            });
            for (int l = 0; l < weights.numLayers(); l++) {
                long start = System.nanoTime();
                int layer = l;
                weights.setLayer(l, times.time("load+rotate", () -> loader.layer(layer)));
                Map<LinearGroup, List<QuantizedWeight>> quantized = new EnumMap<>(LinearGroup.class);
                for (LinearGroup group : LinearGroup.values()) {
                    Cancellation.checkpoint();
                    boolean mlp = group == LinearGroup.GATE_UP || group == LinearGroup.DOWN;
                    if (group == LinearGroup.GATE_UP) {
                        // q, k, v and o are final: every stream moves past attention once, and the MLP's
                        // Hessians and the layer's output start from there instead of recomputing it.
                        times.time("calibration forward", () -> advance(residuals, kept, tf32, (h, input) -> input == null
                                ? model.attentionHalf(layer, h, rope, LinearInputObserver.NONE)
                                : model.finish(layer, LinearGroup.O, h, input)));
                    }
                    List<Tensor> keep = group == LinearGroup.O || group == LinearGroup.DOWN ? kept : null;
                    Tensor hessian = times.time("hessians", () -> Torch.tensorCoreMatmuls(tf32, () -> hessian(group,
                            residuals, windows.size(), keep, (h, observer) -> mlp ? model.mlpHalf(layer, h, observer)
                                    : model.layer(layer, h, rope, observer))));
                    LayerWeights current = (LayerWeights) weights.stored(l);
                    try {
                        quantized.put(group, times.time("gptq solve", () -> {
                            try (PointerScope scope = new PointerScope()) {
                                List<QuantizedWeight> solved = SharedGptq.quantize(gptq, current.linears(group),
                                        hessian, ranks);
                                solved.forEach(QuantizedWeight::retain);
                                return solved;
                            }
                        }));
                    } finally {
                        hessian.releaseReference();
                    }
                    // The groups after this one calibrate on its quantized output.
                    ScalarType dtype = current.q().scalar_type();
                    weights.setLayer(l, current.withLinears(group, quantized.get(group).stream()
                            .map(q -> NativeScope.owned(() -> q.dequantize(dtype))).toList()));
                }
                weights.setLayer(l, QuantizedLayer.of((LayerWeights) weights.stored(l), quantized));
                times.time("calibration forward", () -> advance(residuals, kept, tf32, (h, input) -> input == null
                        ? model.mlpHalf(layer, h, LinearInputObserver.NONE)
                        : model.finish(layer, LinearGroup.DOWN, h, input)));
                log.accept(String.format(Locale.ROOT, "GPTQ layer %d/%d in %.1f s", l + 1, weights.numLayers(),
                        (System.nanoTime() - start) / 1e9));
            }
        } finally {
            residuals.forEach(Tensor::releaseReference);
            if (kept != null) {
                kept.forEach(Tensor::releaseReference);
            }
            rope[0].releaseReference();
            rope[1].releaseReference();
        }
    }

    /**
     * Replaces every window's stream by {@code step} of it, in place; step gets the window's kept
     * linear input (then released), or null when nothing was kept.
     */
    private static void advance(List<Tensor> streams, List<Tensor> kept, boolean tf32,
            BinaryOperator<Tensor> step) {
        Torch.tensorCoreMatmuls(tf32, () -> {
            for (int i = 0; i < streams.size(); i++) {
                Tensor before = streams.get(i);
                Tensor input = kept == null || kept.isEmpty() ? null : kept.get(i);
                streams.set(i, NativeScope.owned(() -> step.apply(before, input)));
                before.releaseReference();
                if (input != null) {
                    input.releaseReference();
                }
            }
            if (kept != null) {
                kept.clear();
            }
            return null;
        });
    }

    /**
     * 2/N·Σ over the {@code total} windows of the job of xᵀx for the group's input, seen by running
     * {@code pass} (a layer or its MLP half, with the observer given) on each of this rank's
     * streams until the group's input; each window's input is added to {@code keep} when it is not
     * null. The sum is kept in float64 so that it does not depend on how the windows were split
     * over ranks: each window's float32 product adds exactly, or nearly, whatever the order.
     */
    private static Tensor hessian(LinearGroup group, List<Tensor> streams, int total, List<Tensor> keep,
            BiFunction<Tensor, LinearInputObserver, Tensor> pass) {
        Tensor[] sum = {null};
        for (Tensor h : streams) {
            try (PointerScope scope = new PointerScope()) {
                pass.apply(h, (seen, input) -> {
                    if (seen != group) {
                        return true;
                    }
                    if (keep != null) {
                        input.retainReference();
                        keep.add(input);
                    }
                    Tensor x = input.reshape(-1, input.size(-1)).to(ScalarType.Float);
                    Tensor product = x.t().matmul(x);
                    if (sum[0] == null) {
                        sum[0] = product.to(ScalarType.Double);
                        sum[0].retainReference();
                    } else {
                        sum[0].add_(product);
                    }
                    return false;
                });
            }
        }
        RankGroup.current().allReduceSum(sum[0]);
        Tensor scaled = NativeScope.owned(() -> sum[0].mul(Tensors.scalar(2.0 / total)).to(ScalarType.Float));
        sum[0].releaseReference();
        return scaled;
    }

    /** The result of {@code work}, its tensors owned by the caller whatever scopes are open. */
    private static QuantizedWeight owned(Supplier<QuantizedWeight> work) {
        try (PointerScope scope = new PointerScope()) {
            return work.get().retain();
        }
    }
}
