package io.rotquant.compiler.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaLibrariesTest {
    @TempDir
    Path dir;

    private Path library(Path where, String name) throws IOException {
        Files.createDirectories(where);
        return Files.writeString(where.resolve(name), "");
    }

    @Test
    void noDriverIsNamedFirst() {
        assertThat(CudaLibraries.problem(List.of(dir))).startsWith("no NVIDIA driver (libcuda.so.1 is not in");
    }

    @Test
    void namesEveryMissingLibraryInOneLine() throws IOException {
        library(dir, CudaLibraries.DRIVER);
        for (String name : CudaLibraries.REQUIRED) {
            if (!name.startsWith("libcudnn") && !name.equals("libnccl.so.2")) {
                library(dir, name);
            }
        }
        String problem = CudaLibraries.problem(List.of(dir));
        assertThat(problem).startsWith("LibTorch's GPU build needs libcudnn.so.9, libcudnn_ops.so.9, libcudnn_cnn.so.9, "
                + "libcudnn_adv.so.9, libcudnn_graph.so.9, libnccl.so.2, not found").doesNotContain("\n");
    }

    @Test
    void librariesSpreadOverTheSearchPathAreEnough() throws IOException {
        library(dir.resolve("driver"), CudaLibraries.DRIVER);
        for (int i = 0; i < CudaLibraries.REQUIRED.size(); i++) {
            library(dir.resolve(i % 2 == 0 ? "cuda" : "cudnn"), CudaLibraries.REQUIRED.get(i));
        }
        assertThat(CudaLibraries.problem(List.of(dir.resolve("driver"), dir.resolve("cuda"), dir.resolve("cudnn"))))
                .isNull();
    }

    @Test
    void searchPathIsLdLibraryPathThenTheLoadersConfigurationThenTheUsualDirectories() throws IOException {
        Path etc = dir.resolve("etc");
        Files.createDirectories(etc.resolve("ld.so.conf.d"));
        Files.writeString(etc.resolve("ld.so.conf"), "include /etc/ld.so.conf.d/*.conf\n");
        Files.writeString(etc.resolve("ld.so.conf.d/cuda.conf"), "# CUDA\n/opt/cuda/lib64\n");
        List<Path> path = CudaLibraries.searchPath(Map.of("LD_LIBRARY_PATH", "/a:/b:"), etc);
        assertThat(path).startsWith(Path.of("/a"), Path.of("/b"), Path.of("/opt/cuda/lib64"));
        assertThat(path).contains(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/local/cuda/lib64"));
    }
}
