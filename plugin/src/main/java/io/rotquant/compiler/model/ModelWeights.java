package io.rotquant.compiler.model;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * All tensors of a model, owned by this object: {@link #close()} frees them. Filled in as the
 * compile streams through the checkpoint: the embedding first, then one layer at a time (replaced
 * as it is quantized), then the head. A null final norm means it was fused into the head.
 */
public final class ModelWeights implements AutoCloseable {
    private final Tensor embed;
    private final StoredLayer[] layers;
    private Tensor finalNorm;
    private Tensor lmHead;

    /** Takes ownership of {@code embed}; the layers and the head come later. */
    public ModelWeights(Tensor embed, int numLayers) {
        this.embed = embed;
        this.layers = new StoredLayer[numLayers];
    }

    public Tensor embed() {
        return embed;
    }

    public int numLayers() {
        return layers.length;
    }

    /** Dense weights of layer {@code index} for one forward pass (see {@link StoredLayer#weights()}). */
    public LayerWeights layer(int index) {
        return stored(index).weights();
    }

    public StoredLayer stored(int index) {
        StoredLayer layer = layers[index];
        if (layer == null) {
            throw new IllegalStateException("layer " + index + " is not loaded yet");
        }
        return layer;
    }

    /** Sets layer {@code index} (its tensors already owned); tensors of the old one it no longer uses are freed. */
    public void setLayer(int index, StoredLayer replacement) {
        if (layers[index] != null) {
            Set<Tensor> kept = identitySet();
            replacement.tensors().forEach(kept::add);
            layers[index].tensors().filter(t -> !kept.contains(t)).forEach(Tensor::releaseReference);
        }
        layers[index] = replacement;
    }

    /**
     * Replaces every quantized layer by its dequantized weights, so that a forward pass no longer
     * expands the codes: many short passes (zero-shot scoring) would otherwise repeat the expansion
     * for each, which made them three times slower on the testbed. The same numbers, at the memory of
     * a full-precision model and without the codes: for a model that is measured, not written.
     */
    public void dequantizeLayers() {
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] instanceof QuantizedLayer quantized) {
                setLayer(i, quantized.ownedWeights());
            }
        }
    }

    /** Takes ownership of the head (which may be the embedding tensor itself when tied and unrotated). */
    public void setHead(Tensor finalNorm, Tensor lmHead) {
        if (this.lmHead != null) {
            throw new IllegalStateException("the head is already set");
        }
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    public Tensor finalNorm() {
        return finalNorm;
    }

    public Tensor lmHead() {
        if (lmHead == null) {
            throw new IllegalStateException("the head is not loaded yet");
        }
        return lmHead;
    }

    @Override
    public void close() {
        Set<Tensor> seen = identitySet();
        Stream.concat(Stream.of(embed, finalNorm, lmHead),
                        Stream.of(layers).filter(Objects::nonNull).flatMap(StoredLayer::tensors))
                .filter(Objects::nonNull)
                .filter(seen::add)
                .forEach(Tensor::releaseReference);
    }

    private static Set<Tensor> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
