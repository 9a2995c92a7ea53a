package io.rotquant.compiler.torch;

import io.rotquant.compiler.EnumFlags;

/** The {@code --device} setting: CPU, CUDA, or CUDA when LibTorch sees a GPU. */
public enum DeviceChoice {
    CPU, CUDA, AUTO;

    public static DeviceChoice parse(String value) {
        return EnumFlags.parse("--device", value, DeviceChoice.class);
    }
}
