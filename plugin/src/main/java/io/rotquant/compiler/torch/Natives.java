package io.rotquant.compiler.torch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;

/**
 * Which LibTorch natives a process needs. The compiler is built against LibTorch's CPU natives;
 * the GPU build ({@code org.bytedeco:pytorch:V:linux-x86_64-gpu} with the CUDA presets) replaces
 * them on the classpath of a process that compiles on CUDA. The versions come from the build.
 */
public final class Natives {
    /** One Maven artifact, {@code groupId:artifactId:version[:classifier]}. */
    public record Coordinates(String groupId, String artifactId, String version, String classifier) {
        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version + (classifier.isEmpty() ? "" : ":" + classifier);
        }
    }

    private static final String GROUP = "org.bytedeco";
    private static final String GPU_SUFFIX = "-gpu";
    private static final Properties VERSIONS = load();

    private Natives() {
    }

    /** LibTorch's CPU natives, which the GPU build replaces. */
    public static Coordinates cpuTorch() {
        return new Coordinates(GROUP, "pytorch", VERSIONS.getProperty("pytorch.version"), platform());
    }

    /** What a CUDA process adds: LibTorch's GPU build, and the CUDA presets (card properties, free memory). */
    public static List<Coordinates> gpu() {
        String cuda = VERSIONS.getProperty("cuda.presets.version");
        return List.of(new Coordinates(GROUP, "pytorch", VERSIONS.getProperty("pytorch.version"), platform() + GPU_SUFFIX),
                new Coordinates(GROUP, "cuda", cuda, ""), new Coordinates(GROUP, "cuda", cuda, platform()));
    }

    /** Whether this process has LibTorch's GPU build on its classpath. */
    public static boolean gpuBuildPresent() {
        return Natives.class.getResource(gpuResourceDirectory() + "libtorch_cuda.so") != null;
    }

    /** Whether this process has LibTorch's CPU natives on its classpath. */
    public static boolean cpuBuildPresent() {
        return Natives.class.getResource("/org/bytedeco/pytorch/" + platform() + "/libtorch_cpu.so") != null;
    }

    /**
     * Unpacks every library of the GPU build into JavaCPP's cache before the first load. JavaCPP
     * unpacks the libraries it loads one at a time and skips a preload that fails: on a fresh cache
     * libc10_cuda.so and libtorch_cuda.so were tried before libc10.so was there, so LibTorch came up
     * without CUDA on the first run only; and libtorch_cuda_linalg.so, which LibTorch opens itself at
     * the first Cholesky or solve, was never unpacked. Must run before the torch class is first used.
     */
    static void unpackGpuBuild() {
        try {
            Loader.cacheResources(Natives.class, gpuResourceDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack LibTorch's GPU natives into JavaCPP's cache: " + e.getMessage(), e);
        }
    }

    private static String gpuResourceDirectory() {
        return "/org/bytedeco/pytorch/" + platform() + GPU_SUFFIX + "/";
    }

    private static String platform() {
        return VERSIONS.getProperty("platform");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Natives.class.getResourceAsStream("natives.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("natives.properties is missing from the compiler's jar", e);
        }
        return p;
    }
}
