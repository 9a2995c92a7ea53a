package io.rotquant.compiler.model;

import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * A decoder layer as kept between forward passes: full-precision tensors, or quantized codes and
 * scales that are expanded only for the pass that uses them.
 */
public sealed interface StoredLayer permits LayerWeights, QuantizedLayer {
    /** Dense weights for one forward pass; a compact layer materializes them in the current scope. */
    LayerWeights weights();

    /** Every tensor this layer owns. */
    Stream<Tensor> tensors();
}
