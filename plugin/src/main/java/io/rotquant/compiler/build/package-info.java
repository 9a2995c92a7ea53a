/**
 * One compilation as a build step: evaluate, write the artifact and its report, and the fingerprint
 * that lets a build skip the work when none of its inputs changed. Used by the CLI and the Mojos.
 */
package io.rotquant.compiler.build;
