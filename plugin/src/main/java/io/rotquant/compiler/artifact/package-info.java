/** Writes a prepared model as a rotquant artifact, in the format the runtime defines. */
package io.rotquant.compiler.artifact;
