/**
 * Safetensors checkpoints (single file or sharded with an index): header validation in plain Java
 * before anything is mapped, then zero-copy memory-mapped tensors through LibTorch.
 */
package io.rotquant.compiler.checkpoint;
