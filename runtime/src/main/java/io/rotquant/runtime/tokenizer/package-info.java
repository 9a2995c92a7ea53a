/**
 * A pure-Java implementation of the Hugging Face {@code tokenizer.json} pipeline for BPE models:
 * added-token splitting, normalizers, pre-tokenizers, the BPE model (merge ranks, byte fallback),
 * the template post-processor and decoders. Covers byte-level BPE (LLaMA-3, SmolLM) and
 * SentencePiece-style BPE with byte fallback (LLaMA-2); conformance is tested against the
 * reference Rust implementation.
 */
package io.rotquant.runtime.tokenizer;
