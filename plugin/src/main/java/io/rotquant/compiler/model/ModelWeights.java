package io.rotquant.compiler.model;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * All tensors of a model in its compute dtype, owned by this object: {@link #close()} frees them.
 * A null final norm means it was fused into the head.
 */
public record ModelWeights(Tensor embed, List<LayerWeights> layers, Tensor finalNorm, Tensor lmHead)
        implements AutoCloseable {

    @Override
    public void close() {
        Stream.concat(Stream.of(embed, finalNorm, lmHead), layers.stream().flatMap(LayerWeights::tensors))
                .filter(Objects::nonNull)
                .distinct()
                .forEach(Tensor::releaseReference);
    }
}
