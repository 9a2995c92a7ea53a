package io.rotquant.compiler.torch;

import java.util.Locale;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * What LibTorch does not tell about a card, read through the CUDA presets: its name, compute
 * capability, memory and the driver's version. Only touched on a process that compiles on CUDA.
 */
public record CudaCard(int index, String name, int major, int minor, long totalBytes, int driverVersion) {
    /** Reads card {@code index}'s properties. */
    static CudaCard read(int index) {
        try (cudaDeviceProp p = new cudaDeviceProp()) {
            check(cudart.cudaGetDeviceProperties(p, index), "cudaGetDeviceProperties");
            int[] driver = new int[1];
            check(cudart.cudaDriverGetVersion(driver), "cudaDriverGetVersion");
            return new CudaCard(index, p.name().getString().strip(), p.major(), p.minor(), p.totalGlobalMem(), driver[0]);
        }
    }

    /** Bytes free on the card now (other processes' allocations and LibTorch's cache count as used). */
    public long freeBytes() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            check(cudart.cudaSetDevice(index), "cudaSetDevice");
            check(cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return free.get();
        }
    }

    /** The machine line of logs and reports, e.g. {@code cuda:0, NVIDIA H200 (sm_90, 143.8 GB, driver 13.0)}. */
    public String describe() {
        return String.format(Locale.ROOT, "cuda:%d, %s (sm_%d%d, %.1f GB, driver %d.%d)", index, name, major, minor,
                totalBytes / 1e9, driverVersion / 1000, driverVersion % 1000 / 10);
    }

    private static void check(int status, String call) {
        if (status != cudart.cudaSuccess) {
            throw new IllegalStateException(call + " failed: " + cudart.cudaGetErrorString(status).getString());
        }
    }
}
