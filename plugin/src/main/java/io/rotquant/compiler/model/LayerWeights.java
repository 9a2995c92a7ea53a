package io.rotquant.compiler.model;

import java.util.function.UnaryOperator;
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

    /** The same layer with the linears of {@code group} rewritten by {@code rewrite}. */
    public LayerWeights withLinears(LinearGroup group, UnaryOperator<Tensor> rewrite) {
        return switch (group) {
            case QKV -> new LayerWeights(inputNorm, rewrite.apply(q), rewrite.apply(k), rewrite.apply(v), o, postNorm,
                    gate, up, down);
            case O -> new LayerWeights(inputNorm, q, k, v, rewrite.apply(o), postNorm, gate, up, down);
            case GATE_UP -> new LayerWeights(inputNorm, q, k, v, o, postNorm, rewrite.apply(gate), rewrite.apply(up), down);
            case DOWN -> new LayerWeights(inputNorm, q, k, v, o, postNorm, gate, up, rewrite.apply(down));
        };
    }
}
