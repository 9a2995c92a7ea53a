/** The immutable recipe of one compilation: rotation, weight/activation/KV quantization, calibration. */
package io.rotquant.compiler.recipe;
