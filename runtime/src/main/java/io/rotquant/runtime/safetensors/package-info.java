/**
 * The safetensors container (8-byte little-endian header length, JSON header, tensor bytes):
 * the layout of Hugging Face checkpoints and of the rotquant artifact.
 */
package io.rotquant.runtime.safetensors;
