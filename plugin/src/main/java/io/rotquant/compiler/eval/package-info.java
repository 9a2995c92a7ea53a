/** Evaluation on the FP or rotated model: WikiText-style perplexity windows and greedy generation. */
package io.rotquant.compiler.eval;
