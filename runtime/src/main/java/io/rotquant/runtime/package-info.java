/**
 * The rotquant runtime: pure Java, no native library. Loads rotquant artifacts and runs them;
 * also home of the pieces the compiler shares with it (tokenizer, JSON reading) so that each has
 * one definition.
 */
package io.rotquant.runtime;
