/**
 * The LLaMA forward pass on LibTorch exactly as Hugging Face computes it (RMSNorm in fp32, half-split
 * RoPE, GQA, SwiGLU), with the online rotations R3 and R4 as explicit steps.
 */
package io.rotquant.compiler.model;
