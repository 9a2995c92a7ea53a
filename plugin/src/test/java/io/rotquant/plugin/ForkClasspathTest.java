package io.rotquant.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.Natives;
import io.rotquant.compiler.torch.NativesPlan;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.junit.jupiter.api.Test;

class ForkClasspathTest {
    private static Artifact artifact(String group, String id, String version, String classifier) {
        DefaultArtifact a = new DefaultArtifact(group, id, version, "runtime", "jar", classifier, new DefaultArtifactHandler("jar"));
        a.setFile(new File("/repo/" + id + "-" + version + (classifier == null ? "" : "-" + classifier) + ".jar"));
        return a;
    }

    private static PluginDescriptor plugin() {
        PluginDescriptor plugin = new PluginDescriptor();
        plugin.setPluginArtifact(artifact("io.rotquant", "rotquant-maven-plugin", "0.1.0", null));
        String torch = Natives.cpuTorch().version();
        plugin.setArtifacts(new ArrayList<>(List.of(artifact("org.bytedeco", "pytorch", torch, null),
                artifact("org.bytedeco", "pytorch", torch, "linux-x86_64"), artifact("info.picocli", "picocli", "4.7.7", null))));
        return plugin;
    }

    private static List<String> names(List<File> files) {
        return files.stream().map(File::getName).toList();
    }

    @Test
    void cpuKeepsThePluginsOwnClasspath() {
        List<Natives.Coordinates> asked = new ArrayList<>();
        List<File> cp = ForkClasspath.of(plugin(), NativesPlan.forDevice(DeviceChoice.CPU), c -> {
            asked.add(c);
            return new File("/resolved/" + c);
        });
        String v = Natives.cpuTorch().version();
        assertThat(names(cp)).containsExactly("rotquant-maven-plugin-0.1.0.jar", "pytorch-" + v + ".jar",
                "pytorch-" + v + "-linux-x86_64.jar", "picocli-4.7.7.jar");
        assertThat(asked).isEmpty();
    }

    @Test
    void cudaSwapsLibTorchsCpuNativesForTheResolvedGpuBuild() {
        NativesPlan cuda = new NativesPlan("cuda:0", true, null);
        List<File> cp = ForkClasspath.of(plugin(), cuda, c -> new File("/resolved/" + c.artifactId() + "-" + c.version()
                + (c.classifier().isEmpty() ? "" : "-" + c.classifier()) + ".jar"));
        String v = Natives.cpuTorch().version();
        String cudaVersion = Natives.gpu().get(1).version();
        assertThat(names(cp)).containsExactly("rotquant-maven-plugin-0.1.0.jar", "pytorch-" + v + ".jar",
                "picocli-4.7.7.jar", "pytorch-" + v + "-linux-x86_64-gpu.jar", "cuda-" + cudaVersion + ".jar",
                "cuda-" + cudaVersion + "-linux-x86_64.jar");
    }
}
