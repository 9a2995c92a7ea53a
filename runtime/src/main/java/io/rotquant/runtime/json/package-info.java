/** A small strict JSON reader for configuration and header files (keeps the runtime dependency-free). */
package io.rotquant.runtime.json;
