package io.rotquant.compiler.model;

import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * One decoder layer's tensors ({@code [out, in]} linears). A null norm weight means the norm is
 * weightless (its γ was fused into the following linears).
 */
public record LayerWeights(Tensor inputNorm, Tensor q, Tensor k, Tensor v, Tensor o, Tensor postNorm, Tensor gate,
        Tensor up, Tensor down) implements StoredLayer {

    @Override
    public LayerWeights weights() {
        return this;
    }

    @Override
    public Stream<Tensor> tensors() {
        return Stream.of(inputNorm, q, k, v, o, postNorm, gate, up, down).filter(java.util.Objects::nonNull);
    }

    /** The same layer with {@code f} applied to every tensor (a null norm stays null). */
    public LayerWeights map(java.util.function.UnaryOperator<Tensor> f) {
        java.util.function.UnaryOperator<Tensor> g = t -> t == null ? null : f.apply(t);
        return new LayerWeights(g.apply(inputNorm), g.apply(q), g.apply(k), g.apply(v), g.apply(o), g.apply(postNorm),
                g.apply(gate), g.apply(up), g.apply(down));
    }

    /** The linears of {@code group} in forward order (q, k, v; o; gate, up; down). */
    public List<Tensor> linears(LinearGroup group) {
        return switch (group) {
            case QKV -> List.of(q, k, v);
            case O -> List.of(o);
            case GATE_UP -> List.of(gate, up);
            case DOWN -> List.of(down);
        };
    }

    /** The same layer with the linears of {@code group} replaced, in the order of {@link #linears}. */
    public LayerWeights withLinears(LinearGroup group, List<Tensor> replacement) {
        if (replacement.size() != group.count()) {
            throw new IllegalArgumentException(group + " has a different number of linears than " + replacement.size());
        }
        List<Tensor> r = replacement;
        return switch (group) {
            case QKV -> new LayerWeights(inputNorm, r.get(0), r.get(1), r.get(2), o, postNorm, gate, up, down);
            case O -> new LayerWeights(inputNorm, q, k, v, r.get(0), postNorm, gate, up, down);
            case GATE_UP -> new LayerWeights(inputNorm, q, k, v, o, postNorm, r.get(0), r.get(1), down);
            case DOWN -> new LayerWeights(inputNorm, q, k, v, o, postNorm, gate, up, r.get(0));
        };
    }
}
