/**
 * Fake quantizers (specification.md §5): symmetric per-channel (or per-group) weights with the MSE
 * clip search, dynamic asymmetric per-token activations, and per-head K/V; plus GPTQ (§6).
 * Values are quantized and dequantized in floating point, exactly as the integer runtime will see them.
 */
package io.rotquant.compiler.quant;
