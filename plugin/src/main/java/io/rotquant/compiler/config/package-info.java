/** The model's {@code config.json}: architecture, shapes and RoPE parameters in both transformers styles. */
package io.rotquant.compiler.config;
