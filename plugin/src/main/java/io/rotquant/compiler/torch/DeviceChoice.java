package io.rotquant.compiler.torch;

import io.rotquant.compiler.InvalidInputException;
import java.util.Locale;

/** The {@code --device} setting: CPU, CUDA, or CUDA when LibTorch sees a GPU. */
public enum DeviceChoice {
    CPU, CUDA, AUTO;

    public static DeviceChoice parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--device: '" + value + "' is not one of cpu, cuda, auto");
        }
    }
}
