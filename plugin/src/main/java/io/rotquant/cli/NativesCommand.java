package io.rotquant.cli;

import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.NativesPlan;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rotquant natives --device D}: for {@code bin/rotquant}, which LibTorch natives a compiler
 * process for device D needs on this machine. Prints {@code device VALUE}, then {@code remove
 * COORDINATES} and {@code add COORDINATES} lines for the classpath; the note of an {@code auto}
 * fallback goes to stderr. Loads no native code.
 */
@Command(name = "natives", hidden = true, description = "The LibTorch natives a --device needs here (for bin/rotquant).")
final class NativesCommand implements Callable<Integer> {
    @Option(names = "--device", required = true, description = "cpu|cuda|cuda:N|auto.")
    String device;

    @Override
    public Integer call() {
        NativesPlan plan = NativesPlan.forDevice(DeviceChoice.parse(device));
        if (plan.note() != null) {
            System.err.println("rotquant: " + plan.note());
        }
        System.out.println("device " + plan.device());
        plan.removals().forEach(c -> System.out.println("remove " + c));
        plan.additions().forEach(c -> System.out.println("add " + c));
        return 0;
    }
}
