package io.rotquant.runtime.model;

/** One decoder layer's weights: norm weights (null once fused into the linears) and the seven linears. */
record Layer(float[] inputNorm, float[] postNorm, QuantizedLinear q, QuantizedLinear k, QuantizedLinear v,
        QuantizedLinear o, QuantizedLinear gate, QuantizedLinear up, QuantizedLinear down) {
}
