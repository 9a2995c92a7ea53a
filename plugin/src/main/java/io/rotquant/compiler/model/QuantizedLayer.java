package io.rotquant.compiler.model;

import io.rotquant.compiler.quant.QuantizedWeight;
import io.rotquant.compiler.torch.NativeScope;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A layer whose seven linears are quantized; its (possibly null) norm weights and q/k/v biases stay
 * in the compute dtype.
 */
public record QuantizedLayer(Tensor inputNorm, Tensor postNorm, Map<LinearGroup, List<QuantizedWeight>> linears,
        LayerWeights.QkvBiases biases, ScalarType dtype) implements StoredLayer {

    public QuantizedLayer {
        linears = new EnumMap<>(linears);
        if (linears.size() != LinearGroup.values().length) {
            throw new IllegalArgumentException("every linear group needs its quantized weights");
        }
    }

    /** The norms and biases of {@code dense} with the quantized linears of every group. */
    public static QuantizedLayer of(LayerWeights dense, Map<LinearGroup, List<QuantizedWeight>> linears) {
        return new QuantizedLayer(dense.inputNorm(), dense.postNorm(), linears, dense.biases(), dense.q().scalar_type());
    }

    @Override
    public LayerWeights weights() {
        return expanded(q -> q.dequantize(dtype));
    }

    /**
     * The dense weights as {@link #weights()} gives them, but owned by the caller: the dequantized
     * linears outlive every scope (the norms and biases are this layer's own tensors, shared).
     */
    public LayerWeights ownedWeights() {
        return expanded(q -> NativeScope.owned(() -> q.dequantize(dtype)));
    }

    private LayerWeights expanded(Function<QuantizedWeight, Tensor> dequantize) {
        LayerWeights w = new LayerWeights(inputNorm, null, null, null, null, postNorm, null, null, null, biases);
        for (Map.Entry<LinearGroup, List<QuantizedWeight>> group : linears.entrySet()) {
            w = w.withLinears(group.getKey(), group.getValue().stream().map(dequantize).toList());
        }
        return w;
    }

    @Override
    public Stream<Tensor> tensors() {
        return Stream.of(Stream.of(inputNorm, postNorm).filter(java.util.Objects::nonNull),
                biases == null ? Stream.<Tensor>empty() : biases.tensors(),
                linears.values().stream().flatMap(List::stream).flatMap(QuantizedWeight::tensors)).flatMap(s -> s);
    }
}
