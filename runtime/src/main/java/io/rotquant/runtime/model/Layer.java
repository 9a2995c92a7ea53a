package io.rotquant.runtime.model;

/**
 * One decoder layer's weights: norm weights (null once fused into the linears), the seven linears,
 * and the q, k and v biases of architectures that have them (null otherwise).
 */
record Layer(float[] inputNorm, float[] postNorm, QuantizedLinear q, QuantizedLinear k, QuantizedLinear v,
        QuantizedLinear o, QuantizedLinear gate, QuantizedLinear up, QuantizedLinear down, float[] qBias, float[] kBias,
        float[] vBias) {
    /** Bytes of weights one token's forward pass reads from this layer. */
    long residentBytes() {
        long bytes = 0;
        for (QuantizedLinear linear : new QuantizedLinear[] {q, k, v, o, gate, up, down}) {
            bytes += linear.residentBytes();
        }
        for (float[] vector : new float[][] {inputNorm, postNorm, qBias, kBias, vBias}) {
            bytes += vector == null ? 0 : 4L * vector.length;
        }
        return bytes;
    }
}
