/**
 * Zero-shot multiple-choice evaluation scored as lm-evaluation-harness scores it: the
 * log-likelihood of each choice's continuation given its context; acc (highest total), acc_norm
 * (highest total per character of the choice) and, for LAMBADA, greedy exact match.
 */
package io.rotquant.compiler.zeroshot;
