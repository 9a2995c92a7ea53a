/**
 * The integer inference engine: a loaded artifact ({@link io.rotquant.runtime.model.RotQuantModel}),
 * sessions with their 4-bit KV caches, and the kernels they run (dynamic per-token activation
 * quantization, int4/int8 dot products with int32 accumulation, online rotations).
 */
package io.rotquant.runtime.model;
