/**
 * The Maven goals: thin translations of their parameters into the compiler's recipe (compile, in a
 * forked JVM by default) or into runtime calls (inspect, verify). Nothing here computes.
 */
package io.rotquant.plugin;
