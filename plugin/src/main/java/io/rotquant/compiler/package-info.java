/**
 * The rotquant compiler: loads a Hugging Face LLaMA-family checkpoint, runs it on LibTorch, rotates
 * and (later) quantizes it. Imports nothing from Maven; the Mojos and the CLI are thin front ends.
 */
package io.rotquant.compiler;
