/** Calibration text: plain text or JSON lines, the embedded default (a C4 slice), seeded window sampling. */
package io.rotquant.compiler.calibration;
