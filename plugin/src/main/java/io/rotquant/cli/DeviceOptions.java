package io.rotquant.cli;

import io.rotquant.compiler.recipe.RecipeDefaults;
import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.Torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Option;

/** Where LibTorch computes: the device and the thread count, shared by every LibTorch command. */
final class DeviceOptions {
    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Compute threads (default: all cores).")
    int threads;

    @Option(names = "--device", defaultValue = RecipeDefaults.DEVICE, description = "cpu|cuda|cuda:N|auto (default: ${DEFAULT-VALUE}).")
    String device;

    /** Sets up LibTorch for this device and thread count, computing in {@code dtype}. */
    void initTorch(ScalarType dtype) {
        Torch.init(DeviceChoice.parse(device), threads, dtype, System.err::println);
    }
}
