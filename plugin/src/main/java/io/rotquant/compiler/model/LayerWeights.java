package io.rotquant.compiler.model;

import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * One decoder layer's tensors ({@code [out, in]} linears). A null norm weight means the norm is
 * weightless (its γ was fused into the following linears).
 */
public record LayerWeights(Tensor inputNorm, Tensor q, Tensor k, Tensor v, Tensor o, Tensor postNorm, Tensor gate,
        Tensor up, Tensor down) {

    Stream<Tensor> tensors() {
        return Stream.of(inputNorm, q, k, v, o, postNorm, gate, up, down).filter(java.util.Objects::nonNull);
    }
}
