package io.rotquant.compiler.eval;

import io.rotquant.compiler.model.LinearGroup;
import io.rotquant.compiler.model.LlamaModel;
import io.rotquant.compiler.quant.ActivationQuantizer;
import io.rotquant.compiler.torch.Tensors;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What rotation does to the inputs of each layer's linears on one window: the relative error of
 * per-token activation quantization at a given width, and how far the largest token stands out
 * (peak token ∞-norm over the median token's), the massive-activation profile.
 */
public final class ActivationProfile {
    private ActivationProfile() {
    }

    /** One layer: per linear group, the relative quantization error ‖Q(x) − x‖/‖x‖ and the peak ratio. */
    public record LayerProfile(int layer, Map<LinearGroup, Double> quantError, Map<LinearGroup, Double> peakRatio) {
    }

    /** Runs {@code ids} (one window) through {@code model} layer by layer and profiles every linear input. */
    public static List<LayerProfile> measure(LlamaModel model, long[] ids, int bits) {
        ActivationQuantizer quantizer = new ActivationQuantizer(bits, 1.0, true);
        List<LayerProfile> layers = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            Tensor input = Tensors.longs(ids, 1, ids.length).to(model.device(), torch.ScalarType.Long);
            Tensor[] cosSin = model.ropeTables(ids.length);
            Tensor h = model.embed(input);
            for (int i = 0; i < model.config().numLayers(); i++) {
                Map<LinearGroup, Double> errors = new EnumMap<>(LinearGroup.class);
                Map<LinearGroup, Double> peaks = new EnumMap<>(LinearGroup.class);
                h = model.layer(i, h, cosSin, (group, x) -> {
                    Tensor xf = x.to(torch.ScalarType.Float);
                    errors.put(group, quantizer.apply(xf).sub(xf).norm().item_double() / xf.norm().item_double());
                    Tensor tokenPeaks = xf.abs().amax(new long[] {-1}, false).reshape(-1);
                    peaks.put(group, tokenPeaks.max().item_double() / tokenPeaks.median().item_double());
                    return true;
                });
                layers.add(new LayerProfile(i, errors, peaks));
            }
        }
        return layers;
    }
}
