package io.rotquant.plugin;

import io.rotquant.compiler.torch.Natives;
import io.rotquant.compiler.torch.NativesPlan;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.descriptor.PluginDescriptor;

/**
 * The forked compiler's classpath: the plugin's jar and every dependency Maven resolved for it
 * (the realm itself hides Maven-provided ones such as SLF4J), with LibTorch's CPU natives swapped
 * for the GPU build when the plan says so. The GPU artifacts come through {@code resolve}, Maven's
 * repository system in the Mojo, so they are downloaded once and cached like any artifact.
 */
final class ForkClasspath {
    private ForkClasspath() {
    }

    static List<File> of(PluginDescriptor plugin, NativesPlan plan, Function<Natives.Coordinates, File> resolve) {
        List<File> files = new ArrayList<>();
        files.add(plugin.getPluginArtifact().getFile());
        for (Artifact artifact : plugin.getArtifacts()) {
            boolean replaced = plan.removals().stream().anyMatch(c -> artifact.getGroupId().equals(c.groupId())
                    && artifact.getArtifactId().equals(c.artifactId()) && c.classifier().equals(artifact.getClassifier()));
            if (!replaced && !files.contains(artifact.getFile())) {
                files.add(artifact.getFile());
            }
        }
        for (Natives.Coordinates c : plan.additions()) {
            File file = resolve.apply(c);
            if (!files.contains(file)) {
                files.add(file);
            }
        }
        return files;
    }
}
