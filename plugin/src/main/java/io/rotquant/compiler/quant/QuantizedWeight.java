package io.rotquant.compiler.quant;

import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A linear's quantized weight as integer codes and scales, W ≈ codes · scales[:, group(column)]:
 * what the artifact stores, at one byte per weight in memory (a quarter of fp32). {@code codes}
 * is int8 [out, in] in [−2^(bits−1), 2^(bits−1) − 1]; {@code scales} fp32 [out, groups];
 * {@code groupIndex} int64 [in] names each input column's scale column, or is null when column c
 * belongs to group c / (in / groups) (per channel: the single group).
 */
public record QuantizedWeight(Tensor codes, Tensor scales, Tensor groupIndex, int bits) {

    /** The dequantized weight, exactly the values the quantizer's fake quantization produces. */
    public Tensor dequantize(ScalarType dtype) {
        Tensor values = codes.to(ScalarType.Float);
        long out = codes.size(0);
        long in = codes.size(1);
        Tensor w = groupIndex != null
                ? values.mul(scales.index_select(1, groupIndex))
                : values.view(out, scales.size(1), in / scales.size(1)).mul(scales.unsqueeze(-1)).view(out, in);
        return w.to(dtype);
    }

    /** Retains every tensor (so it outlives the current scope) and returns this. */
    public QuantizedWeight retain() {
        tensors().forEach(Tensor::retainReference);
        return this;
    }

    public Stream<Tensor> tensors() {
        return Stream.of(codes, scales, groupIndex).filter(java.util.Objects::nonNull);
    }
}
