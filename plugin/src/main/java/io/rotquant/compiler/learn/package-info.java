/** Learned rotations: optimisation on the orthogonal group (Cayley SGD) and the training loops built on it. */
package io.rotquant.compiler.learn;
