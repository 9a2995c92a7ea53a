package io.rotquant.runtime.model;

/** One decoder layer's weights: norm weights (null once fused into the linears) and the seven linears. */
record Layer(float[] inputNorm, float[] postNorm, QuantizedLinear q, QuantizedLinear k, QuantizedLinear v,
        QuantizedLinear o, QuantizedLinear gate, QuantizedLinear up, QuantizedLinear down) {
    /** Bytes of weights one token's forward pass reads from this layer. */
    long residentBytes() {
        long bytes = 0;
        for (QuantizedLinear linear : new QuantizedLinear[] {q, k, v, o, gate, up, down}) {
            bytes += linear.residentBytes();
        }
        return bytes + 4L * ((inputNorm == null ? 0 : inputNorm.length) + (postNorm == null ? 0 : postNorm.length));
    }
}
