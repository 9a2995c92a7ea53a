package io.rotquant.compiler.model;

import io.rotquant.compiler.quant.ActivationQuantizer;

/**
 * The activation side of a WxAyKVz setting: the per-token quantizer of every block linear's input
 * (lm_head's input stays FP), the per-(token, KV head) K quantizer after RoPE and R3, and the V
 * quantizer on v_proj's output.
 */
public record QuantSettings(ActivationQuantizer inputs, ActivationQuantizer keys, ActivationQuantizer values) {
    public static final QuantSettings NONE = of(16, 1.0, 16, 1.0);

    public static QuantSettings of(int aBits, double aClip, int kvBits, double kvClip) {
        return new QuantSettings(new ActivationQuantizer(aBits, aClip, true), new ActivationQuantizer(kvBits, kvClip, true),
                new ActivationQuantizer(kvBits, kvClip, false));
    }
}
