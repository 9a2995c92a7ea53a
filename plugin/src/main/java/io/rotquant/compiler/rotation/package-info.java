/**
 * Rotations (specification.md §2–4): exact Hadamard matrices of order K·2^m, the fast transform,
 * randomized Hadamard and random orthogonal matrices, and their fusion into LLaMA weights.
 */
package io.rotquant.compiler.rotation;
