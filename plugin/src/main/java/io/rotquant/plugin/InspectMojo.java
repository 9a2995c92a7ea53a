package io.rotquant.plugin;

import io.rotquant.runtime.artifact.Artifact;
import io.rotquant.runtime.artifact.ArtifactException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Validates the compiled artifact (header, offsets, checksum) and logs its metadata: recipe,
 * format version, online rotation plan, input digests.
 *
 * @since 0.1.0
 */
@Mojo(name = "inspect", threadSafe = true)
public final class InspectMojo extends AbstractArtifactMojo {
    @Override
    public void execute() throws MojoExecutionException {
        if (skip) {
            getLog().info("rotquant: inspect skipped (rotquant.skip)");
            return;
        }
        Path file = artifactFile();
        if (!Files.isRegularFile(file)) {
            throw new MojoExecutionException("rotquant.outputFile " + file + ": file not found (run rotquant:compile first)");
        }
        try (Artifact artifact = Artifact.open(file)) {
            getLog().info("rotquant: " + file + " (" + Files.size(file) + " bytes, " + artifact.entries().size()
                    + " tensors, checksum verified)");
            artifact.metadata().forEach((key, value) -> getLog().info("  " + key + ": " + value));
        } catch (ArtifactException e) {
            throw new MojoExecutionException("rotquant: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("rotquant: cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
