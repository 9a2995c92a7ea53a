package io.rotquant.compiler.torch;

import io.rotquant.compiler.InvalidInputException;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Process-wide LibTorch setup: intra-op threads and the compute device. Call {@link #init} once
 * before the first tensor operation.
 */
public final class Torch {
    private static volatile Device device;
    private static volatile String deviceName;
    private static volatile int cores;

    private Torch() {
    }

    /**
     * Resolves the device and sizes the thread pools for {@code threads} cores (0: all).
     *
     * <p>On the CPU, fp32 matmuls run on OpenBLAS's own pool (sized by {@code OPENBLAS_NUM_THREADS},
     * which {@code bin/rotquant} sets from {@code --threads}). LibTorch's intra-op pool calling into
     * it oversubscribes the cores (an fp32 testbed window took 2.5× longer on 2 cores), so fp32 gets
     * one intra-op thread; bf16 matmuls run on LibTorch's own pool and get all of them.
     */
    public static synchronized void init(DeviceChoice choice, int threads, ScalarType computeType) {
        if (threads < 0) {
            throw new InvalidInputException("--threads must be 0 (all cores) or positive, got " + threads);
        }
        cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        boolean cuda = switch (choice) {
            case CPU -> false;
            case AUTO -> torch.cuda_is_available();
            case CUDA -> {
                if (!torch.cuda_is_available()) {
                    throw new InvalidInputException("--device cuda: LibTorch sees no CUDA device "
                            + "(build with -Pcuda for the GPU natives, and check the driver)");
                }
                yield true;
            }
        };
        torch.set_num_threads(!cuda && computeType == ScalarType.Float ? 1 : cores);
        device = new Device(cuda ? torch.DeviceType.CUDA : torch.DeviceType.CPU, (byte) 0);
        deviceName = cuda ? "cuda:0" : "cpu";
    }

    public static Device device() {
        if (device == null) {
            init(DeviceChoice.CPU, 0, ScalarType.Float);
        }
        return device;
    }

    public static String deviceName() {
        device();
        return deviceName;
    }

    /**
     * Runs {@code work} with LibTorch's intra-op pool at full width: for elementwise-heavy phases
     * with no BLAS calls (the weight clip search), where the one-thread fp32 setting would idle cores.
     */
    public static <T> T elementwise(java.util.function.Supplier<T> work) {
        int previous = torch.get_num_threads();
        torch.set_num_threads(threads());
        try {
            return work.get();
        } finally {
            torch.set_num_threads(previous);
        }
    }

    /** The number of cores the computation was given. */
    public static int threads() {
        device();
        return cores;
    }
}
