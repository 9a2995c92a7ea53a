/**
 * The rotquant artifact: its one definition (names, dtypes, metadata keys, validation rules), the
 * reader the runtime uses, and the constants the compiler's writer follows. A safetensors file:
 * 8-byte little-endian header length, JSON header, 64-byte aligned tensor data.
 */
package io.rotquant.runtime.artifact;
