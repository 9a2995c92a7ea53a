package io.rotquant.compiler.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * All tensors of a model in its compute dtype, owned by this object: {@link #close()} frees them.
 * A null final norm means it was fused into the head. Layers can be replaced one at a time
 * (weight quantization); tensors the replacement no longer uses are freed.
 */
public final class ModelWeights implements AutoCloseable {
    private final Tensor embed;
    private final List<LayerWeights> layers;
    private final Tensor finalNorm;
    private final Tensor lmHead;

    public ModelWeights(Tensor embed, List<LayerWeights> layers, Tensor finalNorm, Tensor lmHead) {
        this.embed = embed;
        this.layers = new ArrayList<>(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    public Tensor embed() {
        return embed;
    }

    public List<LayerWeights> layers() {
        return Collections.unmodifiableList(layers);
    }

    public Tensor finalNorm() {
        return finalNorm;
    }

    public Tensor lmHead() {
        return lmHead;
    }

    /** Swaps in new weights for layer {@code index}; the new tensors must already be owned (retained). */
    public void replaceLayer(int index, LayerWeights replacement) {
        Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        replacement.tensors().forEach(kept::add);
        layers.get(index).tensors().filter(t -> !kept.contains(t)).forEach(Tensor::releaseReference);
        layers.set(index, replacement);
    }

    @Override
    public void close() {
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Stream.concat(Stream.of(embed, finalNorm, lmHead), layers.stream().flatMap(LayerWeights::tensors))
                .filter(Objects::nonNull)
                .filter(seen::add)
                .forEach(Tensor::releaseReference);
    }
}
