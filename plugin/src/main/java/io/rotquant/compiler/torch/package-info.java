/** LibTorch through the Bytedeco presets: process setup (threads, device) and native-memory helpers. */
package io.rotquant.compiler.torch;
