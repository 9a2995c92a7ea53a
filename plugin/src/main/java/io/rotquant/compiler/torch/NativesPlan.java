package io.rotquant.compiler.torch;

import static io.rotquant.compiler.recipe.RecipeParameter.DEVICE;

import io.rotquant.compiler.InvalidInputException;
import java.util.List;

/**
 * How a launcher (the Maven plugin's fork, {@code bin/rotquant}) sets up a compiler process for a
 * {@code device} setting on this machine: the device the process is told, and whether LibTorch's
 * CPU natives are swapped for the GPU build. {@code cuda} on a machine that cannot run the GPU
 * build fails here, in one line, before anything is downloaded or started; {@code auto} falls
 * back to the CPU with a note that says why.
 *
 * @param device the {@code --device} value the process gets
 * @param gpu    whether the classpath gets {@link Natives#gpu()} in place of {@link Natives#cpuTorch()}
 * @param note   the line to log about the choice, or null
 */
public record NativesPlan(String device, boolean gpu, String note) {
    /** The plan for {@code choice} on this machine. */
    public static NativesPlan forDevice(DeviceChoice choice) {
        return forDevice(choice, choice.wantsGpu() ? CudaLibraries.problem() : null);
    }

    /** The plan for {@code choice} where {@code machineProblem} says why the GPU build cannot run (null: it can). */
    static NativesPlan forDevice(DeviceChoice choice, String machineProblem) {
        return switch (choice.kind()) {
            case CPU -> new NativesPlan("cpu", false, null);
            case CUDA -> {
                if (machineProblem != null) {
                    throw new InvalidInputException(DEVICE.named() + " " + choice + ": " + machineProblem);
                }
                yield new NativesPlan(choice.toString(), true, null);
            }
            case AUTO -> machineProblem == null ? new NativesPlan("auto", true, null)
                    : new NativesPlan("cpu", false, "device auto: compiling on the CPU: " + machineProblem);
        };
    }

    /** The artifacts to add to the CPU classpath (none on the CPU). */
    public List<Natives.Coordinates> additions() {
        return gpu ? Natives.gpu() : List.of();
    }

    /** The artifacts of the CPU classpath they replace (none on the CPU). */
    public List<Natives.Coordinates> removals() {
        return gpu ? List.of(Natives.cpuTorch()) : List.of();
    }
}
