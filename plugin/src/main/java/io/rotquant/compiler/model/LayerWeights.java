package io.rotquant.compiler.model;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * One decoder layer's tensors ({@code [out, in]} linears). A null norm weight means the norm is
 * weightless (its γ was fused into the following linears); null {@code biases}, that the
 * architecture's q, k and v projections have none (LLaMA, Mistral; Qwen2 has them).
 */
public record LayerWeights(Tensor inputNorm, Tensor q, Tensor k, Tensor v, Tensor o, Tensor postNorm, Tensor gate,
        Tensor up, Tensor down, QkvBiases biases) implements StoredLayer {

    /** The biases of q_proj, k_proj and v_proj ({@code [out]} each), added after the projection. */
    public record QkvBiases(Tensor q, Tensor k, Tensor v) {
        public QkvBiases map(UnaryOperator<Tensor> f) {
            return new QkvBiases(f.apply(q), f.apply(k), f.apply(v));
        }

        public Stream<Tensor> tensors() {
            return Stream.of(q, k, v);
        }
    }

    /** A layer without biases. */
    public LayerWeights(Tensor inputNorm, Tensor q, Tensor k, Tensor v, Tensor o, Tensor postNorm, Tensor gate,
            Tensor up, Tensor down) {
        this(inputNorm, q, k, v, o, postNorm, gate, up, down, null);
    }

    @Override
    public LayerWeights weights() {
        return this;
    }

    @Override
    public Stream<Tensor> tensors() {
        return Stream.concat(Stream.of(inputNorm, q, k, v, o, postNorm, gate, up, down).filter(Objects::nonNull),
                biases == null ? Stream.empty() : biases.tensors());
    }

    /** The same layer with {@code f} applied to every tensor, biases included (a null norm stays null). */
    public LayerWeights map(UnaryOperator<Tensor> f) {
        UnaryOperator<Tensor> g = t -> t == null ? null : f.apply(t);
        return new LayerWeights(g.apply(inputNorm), g.apply(q), g.apply(k), g.apply(v), g.apply(o), g.apply(postNorm),
                g.apply(gate), g.apply(up), g.apply(down), biases == null ? null : biases.map(f));
    }

    /** The same layer with {@code f} applied to the seven linears' weights only (not to norms or biases). */
    public LayerWeights mapLinears(UnaryOperator<Tensor> f) {
        return new LayerWeights(inputNorm, f.apply(q), f.apply(k), f.apply(v), f.apply(o), postNorm, f.apply(gate),
                f.apply(up), f.apply(down), biases);
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
            case QKV -> new LayerWeights(inputNorm, r.get(0), r.get(1), r.get(2), o, postNorm, gate, up, down, biases);
            case O -> new LayerWeights(inputNorm, q, k, v, r.get(0), postNorm, gate, up, down, biases);
            case GATE_UP -> new LayerWeights(inputNorm, q, k, v, o, postNorm, r.get(0), r.get(1), down, biases);
            case DOWN -> new LayerWeights(inputNorm, q, k, v, o, postNorm, gate, up, r.get(0), biases);
        };
    }
}
