/** The compile pipeline's weight-quantization stage: RTN per linear, or layer-sequential GPTQ on calibration windows. */
package io.rotquant.compiler.pipeline;
