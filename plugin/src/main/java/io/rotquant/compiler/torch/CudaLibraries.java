package io.rotquant.compiler.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The system libraries LibTorch's GPU build links against (its NEEDED entries, and cuSOLVER for
 * the lazily opened linalg library), looked up where the dynamic loader looks, before any native
 * code loads: a missing one is then one line naming it, not a linker error from deep in JavaCPP.
 */
public final class CudaLibraries {
    /** The driver's library; without it there is no GPU to use. */
    static final String DRIVER = "libcuda.so.1";
    /** CUDA 13 runtime and maths libraries, cuDNN 9, NCCL 2. */
    static final List<String> REQUIRED = List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13",
            "libcusparse.so.12", "libcufft.so.12", "libcurand.so.10", "libcusolver.so.12", "libcufile.so.0",
            "libnvrtc.so.13", "libcupti.so.13", "libcudnn.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9",
            "libcudnn_adv.so.9", "libcudnn_graph.so.9", "libnccl.so.2");
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/lib", "/usr/lib", "/lib64", "/usr/lib64",
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/local/cuda/lib64",
            "/usr/local/cuda/targets/x86_64-linux/lib");

    private CudaLibraries() {
    }

    /** Why this machine cannot run LibTorch's GPU build, or null when it can. */
    public static String problem() {
        return problem(searchPath(System.getenv(), Path.of("/etc")));
    }

    /** {@link #problem()} over the given library directories. */
    static String problem(List<Path> directories) {
        if (find(DRIVER, directories) == null) {
            return "no NVIDIA driver (" + DRIVER + " is not in LD_LIBRARY_PATH or the system library directories)";
        }
        List<String> missing = REQUIRED.stream().filter(name -> find(name, directories) == null).toList();
        return missing.isEmpty() ? null : "LibTorch's GPU build needs " + String.join(", ", missing)
                + ", not found in LD_LIBRARY_PATH or the system library directories (install the CUDA 13 runtime "
                + "libraries, cuDNN 9 and NCCL 2, or add their directory to LD_LIBRARY_PATH)";
    }

    /** LD_LIBRARY_PATH, then the directories of the loader's configuration under {@code etc}, then the usual ones. */
    static List<Path> searchPath(Map<String, String> env, Path etc) {
        Set<Path> dirs = new LinkedHashSet<>();
        String ld = env.getOrDefault("LD_LIBRARY_PATH", "");
        for (String entry : ld.split(":")) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry));
            }
        }
        List<Path> conf = new ArrayList<>(List.of(etc.resolve("ld.so.conf")));
        try (Stream<Path> files = Files.list(etc.resolve("ld.so.conf.d"))) {
            files.filter(f -> f.toString().endsWith(".conf")).sorted().forEach(conf::add);
        } catch (IOException e) {
            // No drop-in directory: only the main file and the usual directories.
        }
        for (Path file : conf) {
            try {
                for (String line : Files.readAllLines(file)) {
                    String l = line.strip();
                    if (l.startsWith("/")) {
                        dirs.add(Path.of(l));
                    }
                }
            } catch (IOException e) {
                // Unreadable or absent: the loader skips it too.
            }
        }
        SYSTEM_DIRECTORIES.forEach(d -> dirs.add(Path.of(d)));
        return List.copyOf(dirs);
    }

    private static Path find(String name, List<Path> directories) {
        for (Path dir : directories) {
            Path candidate = dir.resolve(name);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
