package io.rotquant.compiler.model;

import org.bytedeco.pytorch.Tensor;

/**
 * A float64 rewrite of the weights applied while loading (norm fusion, rotations). Returned layers
 * may drop their norm weights (null) once those are fused into the linears.
 */
public interface WeightTransform {
    Tensor embedding(Tensor embed);

    /** The output head, given the final norm's weight (to fuse or keep). */
    Tensor head(Tensor lmHead, Tensor finalNorm);

    LayerWeights layer(int index, LayerWeights weights);
}
