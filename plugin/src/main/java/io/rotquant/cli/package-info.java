/** {@code bin/rotquant}: the command-line front end of the compiler (picocli). */
package io.rotquant.cli;
