package io.rotquant.compiler.pipeline;

import io.rotquant.compiler.model.LayerWeights;
import io.rotquant.compiler.model.LinearGroup;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.quant.Gptq;
import io.rotquant.compiler.quant.WeightQuantizer;
import io.rotquant.compiler.torch.NativeScope;
import io.rotquant.compiler.torch.Tensors;
import io.rotquant.compiler.torch.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Replaces the seven block linears of every layer by their fake-quantized weights. Must run on a
 * model without activation quantization: GPTQ's Hessians see full-precision (rotated) inputs, as
 * in the references.
 */
public final class WeightQuantization {
    private WeightQuantization() {
    }

    /** Round-to-nearest (with the quantizer's clip search) for every linear. */
    public static void rtn(LlamaModel model, WeightQuantizer quantizer) {
        for (int l = 0; l < model.config().numLayers(); l++) {
            LayerWeights layer = model.weights().layers().get(l);
            for (LinearGroup group : LinearGroup.values()) {
                layer = layer.withLinears(group, w -> NativeScope.owned(() -> Torch.elementwise(() -> quantizer.fakeQuantize(w))));
            }
            model.weights().replaceLayer(l, layer);
        }
    }

    /**
     * Layer-sequential GPTQ: for each layer and each linear group in forward order, accumulate
     * H = 2/N·Σ xᵀx over the calibration windows from the inputs the (partly quantized) model
     * actually produces, quantize the group, then move every window's residual stream through
     * the finished layer. {@code log} hears one line per layer.
     */
    public static void gptq(LlamaModel model, Gptq gptq, List<long[]> windows, Consumer<String> log) {
        int length = windows.get(0).length;
        Tensor[] rope;
        try (PointerScope scope = new PointerScope()) {
            rope = model.ropeTables(length);
            rope[0].retainReference();
            rope[1].retainReference();
        }
        List<Tensor> residuals = new ArrayList<>();
        for (long[] ids : windows) {
            residuals.add(NativeScope.owned(() -> model.embed(Tensors.longs(ids, 1, length)
                    .to(model.device(), ScalarType.Long))));
        }
        try {
            for (int l = 0; l < model.config().numLayers(); l++) {
                long start = System.nanoTime();
                for (LinearGroup group : LinearGroup.values()) {
                    Tensor hessian = hessian(model, l, group, residuals, rope);
                    try {
                        LayerWeights quantized = model.weights().layers().get(l)
                                .withLinears(group, w -> NativeScope.owned(() -> gptq.quantize(w, hessian)));
                        model.weights().replaceLayer(l, quantized);
                    } finally {
                        hessian.releaseReference();
                    }
                }
                for (int i = 0; i < residuals.size(); i++) {
                    int layer = l;
                    Tensor before = residuals.get(i);
                    residuals.set(i, NativeScope.owned(() -> model.layer(layer, before, rope,
                            io.rotquant.compiler.model.LinearInputObserver.NONE)));
                    before.releaseReference();
                }
                log.accept(String.format(Locale.ROOT, "GPTQ layer %d/%d in %.1f s", l + 1, model.config().numLayers(),
                        (System.nanoTime() - start) / 1e9));
            }
        } finally {
            residuals.forEach(Tensor::releaseReference);
            rope[0].releaseReference();
            rope[1].releaseReference();
        }
    }

    /** 2/N·Σ over windows of xᵀx for the group's input (the rest of the layer is skipped). */
    private static Tensor hessian(LlamaModel model, int layer, LinearGroup group, List<Tensor> residuals, Tensor[] rope) {
        Tensor[] sum = {null};
        for (Tensor h : residuals) {
            try (PointerScope scope = new PointerScope()) {
                model.layer(layer, h, rope, (seen, input) -> {
                    if (seen != group) {
                        return true;
                    }
                    Tensor x = input.reshape(-1, input.size(-1)).to(ScalarType.Float);
                    Tensor xtx = x.t().matmul(x);
                    if (sum[0] == null) {
                        sum[0] = xtx;
                        sum[0].retainReference();
                    } else {
                        sum[0].add_(xtx);
                    }
                    return false;
                });
            }
        }
        Tensor scaled = NativeScope.owned(() -> sum[0].mul(Tensors.scalar(2.0 / residuals.size())));
        sum[0].releaseReference();
        return scaled;
    }
}
