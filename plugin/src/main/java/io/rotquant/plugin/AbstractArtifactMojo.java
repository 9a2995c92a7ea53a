package io.rotquant.plugin;

import java.io.File;
import java.nio.file.Path;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * The parameters every goal shares: where the artifact and its report are, skipping, threads.
 * The artifact's name does not depend on the recipe, so the goals that read it (verify, inspect)
 * need no recipe; the recipe is recorded inside the artifact and in the report.
 */
abstract class AbstractArtifactMojo extends AbstractMojo {
    /** The artifact's file extension and its attached type. */
    static final String TYPE = "rqm";

    /**
     * The artifact file. Default: {@code ${project.build.directory}/${project.build.finalName}.rqm},
     * or {@code ${project.build.finalName}-CLASSIFIER.rqm} with a classifier.
     * <pre>{@code <outputFile>${project.build.directory}/model.rqm</outputFile>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.outputFile")
    File outputFile;

    /**
     * The classifier of the attached artifact (default: none, so its coordinates are the project's
     * with type {@code rqm}, whatever the recipe). Set one per execution to attach several.
     * <pre>{@code <classifier>w4a4</classifier>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.classifier")
    String classifier;

    /**
     * Where {@code report.json}, {@code report.html} and the build fingerprint go.
     * <pre>{@code <reportDirectory>${project.build.directory}/rotquant</reportDirectory>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.reportDirectory", defaultValue = "${project.build.directory}/rotquant")
    File reportDirectory;

    /**
     * Skips the goal.
     * <pre>{@code <skip>true</skip>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.skip", defaultValue = "false")
    boolean skip;

    /**
     * Threads for the compiler and the runtime (default: all cores). <pre>{@code <threads>2</threads>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.threads")
    Integer threads;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    /** The classifier, or null for none. */
    final String classifier() {
        return classifier == null || classifier.isBlank() ? null : classifier;
    }

    final Path artifactFile() {
        return outputFile != null ? outputFile.toPath() : Path.of(project.getBuild().getDirectory(),
                project.getBuild().getFinalName() + (classifier() == null ? "" : "-" + classifier()) + "." + TYPE);
    }
}
