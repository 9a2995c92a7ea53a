package io.rotquant.plugin;

import io.rotquant.compiler.recipe.RecipeDefaults;
import io.rotquant.cli.CompileCommand;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.build.Compilation;
import io.rotquant.compiler.build.CompileRequest;
import io.rotquant.compiler.build.Fingerprint;
import io.rotquant.compiler.checkpoint.InputDigests;
import io.rotquant.compiler.recipe.ParameterNames;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RecipeParameter;
import io.rotquant.compiler.torch.DeviceChoice;
import io.rotquant.compiler.torch.Natives;
import io.rotquant.compiler.torch.NativesPlan;
import io.rotquant.compiler.torch.Torch;
import io.rotquant.runtime.json.JsonWriter;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;
import org.apache.maven.toolchain.ToolchainManager;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/**
 * Compiles the checkpoint in {@code modelDirectory} into a rotquant artifact by the configured
 * recipe, with {@code report.json} and {@code report.html} beside it, and attaches the artifact to
 * the project (type {@code rqm}). Skips the work when the fingerprint of every input matches the
 * last successful build and the artifact is still the one it wrote.
 *
 * @since 0.1.0
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public final class CompileMojo extends AbstractRecipeMojo {
    /** In process the plugin's own LibTorch, the CPU build, computes (Torch refuses cuda there). */
    private static final NativesPlan CPU_IN_PROCESS = new NativesPlan("cpu", false, null);

    /**
     * Held-out text (not drawn for calibration) on which the FP and the quantized model are
     * evaluated before the artifact is written; the report's perplexity and activation profiles
     * come from it, and {@code rotquant:verify} compares against it. Unset: no evaluation.
     * <pre>{@code <evalData>${project.basedir}/src/main/data/heldout.txt</evalData>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.evalData")
    File evalData;

    /**
     * How many windows of {@code evalData} to evaluate, 0 = all.
     * <pre>{@code <evalWindows>16</evalWindows>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.evalWindows", defaultValue = RecipeDefaults.EVAL_WINDOWS)
    int evalWindows;

    /**
     * How the artifact stores the embedding and the LM head: 16 (F16), 8 (int8 rows with one
     * scale each: half the head's bytes per decoded token, at a small perplexity cost) or 4 (4-bit
     * codes with a scale per 32 columns: under a third of the bytes, at a larger cost).
     * <pre>{@code <headBits>8</headBits>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.headBits", defaultValue = RecipeDefaults.HEAD_BITS)
    int headBits;

    /**
     * Attach the artifact to the project, so that {@code install} and {@code deploy} publish it.
     * <pre>{@code <attach>false</attach>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.attach", defaultValue = "true")
    boolean attach;

    /**
     * Run the compiler in a forked JVM (recommended: LibTorch's natives then load and unload with
     * the compile, outside Maven's heap and class realms).
     * <pre>{@code <fork>false</fork>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.fork", defaultValue = "true")
    boolean fork;

    /**
     * Processes on this machine that share the compile (LibTorch's c10d: Gloo between CPU processes,
     * NCCL between GPUs, rank r on cuda:r with {@code <device>cuda</device>}): calibration windows,
     * GPTQ solves and training batches are split over them, and the first writes the artifact.
     * Needs {@code fork}. <pre>{@code <processes>2</processes>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.processes", defaultValue = RecipeDefaults.PROCESSES)
    int processes;

    /**
     * In a job across machines (a build farm): this machine's rank, 0 to {@code worldSize − 1};
     * rank 0 serves the rendezvous at {@code master} and writes the artifact.
     * <pre>{@code <rank>1</rank>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.rank", defaultValue = RecipeDefaults.RANK)
    int rank;

    /**
     * In a job across machines: the number of ranks, one per machine's compile.
     * <pre>{@code <worldSize>4</worldSize>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.worldSize", defaultValue = RecipeDefaults.WORLD_SIZE)
    int worldSize;

    /**
     * In a job across machines: rank 0's {@code HOST:PORT}, where the ranks meet.
     * <pre>{@code <master>build-01.example.com:29500</master>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.master")
    String master;

    /**
     * Extra options of the forked JVM.
     * <pre>{@code <jvmArgs><jvmArg>-Xmx8g</jvmArg></jvmArgs>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.jvmArgs")
    List<String> jvmArgs;

    /**
     * The JDK of the forked compiler, as a toolchain requirement (e.g. {@code version} 25). Unset:
     * the JDK that {@code maven-toolchains-plugin} selected for the project, else Maven's own.
     * <pre>{@code <jdkToolchain><version>25</version></jdkToolchain>}</pre>
     * @since 0.1.0
     */
    @Parameter
    Map<String, String> jdkToolchain;

    /**
     * The reproducible-build timestamp, given to the artifact file as its modification time.
     * @since 0.1.0
     */
    @Parameter(defaultValue = "${project.build.outputTimestamp}", readonly = true)
    String outputTimestamp;

    @Parameter(defaultValue = "${plugin}", readonly = true)
    PluginDescriptor plugin;

    @Component
    MavenProjectHelper projectHelper;

    @Component
    RepositorySystem repositorySystem;

    @Component
    ToolchainManager toolchainManager;

    @Parameter(defaultValue = "${session}", readonly = true)
    MavenSession session;

    @Parameter(defaultValue = "${repositorySystemSession}", readonly = true)
    RepositorySystemSession repositorySession;

    @Parameter(defaultValue = "${project.remotePluginRepositories}", readonly = true)
    List<RemoteRepository> pluginRepositories;

    @Override
    public void execute() throws MojoExecutionException {
        if (skip) {
            getLog().info("rotquant: compile skipped (rotquant.skip)");
            return;
        }
        try (ParameterNames.Scope names = ParameterNames.MAVEN.use()) {
            build();
        }
    }

    private void build() throws MojoExecutionException {
        long start = System.nanoTime();
        Path out = artifactFile();
        Path reports = reportDirectory.toPath();
        Path fingerprintFile = reportFile(".fingerprint.json");
        Recipe recipe;
        try {
            recipe = recipe();
            CompileRequest request = new CompileRequest(modelDirectory.toPath(), recipe, computeType(), out,
                    evalData == null ? null : evalData.toPath(), evalWindows, reports, headBits);
            if (!Files.isDirectory(request.model())) {
                throw new InvalidInputException(RecipeParameter.MODEL.named() + " " + request.model()
                        + ": directory not found");
            }
            // Decided before the fingerprint: an artifact built on a GPU is not the CPU's, bit for bit.
            NativesPlan plan = fork ? NativesPlan.forDevice(DeviceChoice.parse(device)) : CPU_IN_PROCESS;
            Fingerprint now = Fingerprint.of("rotquant-maven-plugin " + plugin.getVersion(), request)
                    .with("device", plan.gpu() ? "cuda" : "cpu");
            List<String> reasons = reasonsToBuild(now, Fingerprint.read(fingerprintFile), out);
            if (reasons.isEmpty()) {
                getLog().info(String.format(Locale.ROOT, "rotquant: %s is up to date (%s)", out.getFileName(),
                        recipe.label()));
            } else {
                getLog().info("rotquant: compiling " + recipe.label() + " because " + String.join("; ", reasons));
                Files.createDirectories(out.toAbsolutePath().getParent());
                compile(request, plan);
                now.withRotationsFile(request).withArtifact(InputDigests.sha256(out)).write(fingerprintFile);
            }
            BuildTimestamp.apply(outputTimestamp, out);
        } catch (InvalidInputException e) {
            throw new MojoExecutionException(e.getMessage());
        } catch (IOException e) {
            throw new MojoExecutionException("rotquant: " + e.getMessage(), e);
        }
        if (attach) {
            if (classifier() == null) {
                projectHelper.attachArtifact(project, TYPE, out.toFile());
            } else {
                projectHelper.attachArtifact(project, TYPE, classifier(), out.toFile());
            }
        }
        getLog().info(String.format(Locale.ROOT, "rotquant: %s (%s%s) in %.1f s", out, recipe.label(),
                attach ? ", attached" : "", (System.nanoTime() - start) / 1e9));
    }

    /** This goal's file in the report directory, named by the classifier (or "artifact") and {@code suffix}. */
    private Path reportFile(String suffix) {
        return reportDirectory.toPath().resolve((classifier() == null ? "artifact" : classifier()) + suffix);
    }

    /** One artifact through Maven's repository system (downloaded once, then from the local repository). */
    private File resolve(Natives.Coordinates c) {
        try {
            return repositorySystem.resolveArtifact(repositorySession, new ArtifactRequest(
                    new DefaultArtifact(c.groupId(), c.artifactId(), c.classifier(), "jar", c.version()),
                    pluginRepositories, null)).getArtifact().getFile();
        } catch (ArtifactResolutionException e) {
            throw new InvalidInputException(RecipeParameter.DEVICE.named() + " " + device + ": cannot resolve " + c + ", LibTorch's GPU natives ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private List<String> reasonsToBuild(Fingerprint now, Fingerprint recorded, Path out) throws IOException {
        if (recorded == null) {
            return List.of("there is no record of an earlier build");
        }
        List<String> reasons = new ArrayList<>(now.changesSince(recorded));
        if (!Files.isRegularFile(out)) {
            reasons.add("the artifact " + out.getFileName() + " is missing");
        } else if (!InputDigests.sha256(out).equals(recorded.entries().get(Fingerprint.ARTIFACT))) {
            reasons.add("the artifact " + out.getFileName() + " is not the one the last build wrote");
        }
        return reasons;
    }

    private void compile(CompileRequest request, NativesPlan plan) throws MojoExecutionException, IOException {
        boolean shared = processes > 1 || worldSize > 1;
        if (!fork && shared) {
            throw new MojoExecutionException(RecipeParameter.PROCESSES.named() + " " + processes + " and "
                    + RecipeParameter.WORLD_SIZE.named() + " " + worldSize + " need rotquant.fork true: every rank is a"
                    + " JVM of its own");
        }
        int threadCount = threads == null ? 0 : threads;
        if (!fork) {
            Torch.exclusively(DeviceChoice.parse(device), threadCount, request.dtype().scalarType(), getLog()::info,
                    () -> Compilation.run(request, getLog()::info));
            return;
        }
        if (plan.note() != null) {
            getLog().info("rotquant: " + plan.note());
        }
        List<File> gpuJars = new ArrayList<>();
        List<File> classpath = ForkClasspath.of(plugin, plan, c -> {
            File jar = resolve(c);
            gpuJars.add(jar);
            return jar;
        });
        if (!gpuJars.isEmpty()) {
            getLog().info("rotquant: the forked compiler runs on LibTorch's GPU build: "
                    + gpuJars.stream().map(File::getName).collect(java.util.stream.Collectors.joining(", ")));
        }
        // The recipe travels as the JSON the artifact records; the run's own settings as the CLI's flags.
        Path recipeFile = reportFile(".recipe.json");
        Files.createDirectories(request.reportDir());
        Files.writeString(recipeFile, JsonWriter.write(request.recipe().toJson()));
        List<String> args = new ArrayList<>(List.of("compile", CompileCommand.RECIPE, recipeFile.toString(),
                RecipeParameter.MODEL.flag(), request.model().toString(), RecipeParameter.OUT.flag(),
                request.out().toString(), RecipeParameter.REPORT.flag(), request.reportDir().toString(),
                RecipeParameter.EVAL_WINDOWS.flag(), Integer.toString(request.evalWindows()),
                RecipeParameter.HEAD_BITS.flag(), Integer.toString(request.headBits()),
                RecipeParameter.DTYPE.flag(), dtype, RecipeParameter.DEVICE.flag(), plan.device(),
                RecipeParameter.THREADS.flag(), Integer.toString(threadCount)));
        if (request.evalData() != null) {
            args.addAll(List.of(RecipeParameter.EVAL_DATA.flag(), request.evalData().toString()));
        }
        if (processes > 1) {
            args.addAll(List.of(RecipeParameter.PROCESSES.flag(), Integer.toString(processes)));
        }
        if (worldSize > 1) {
            args.addAll(List.of(RecipeParameter.RANK.flag(), Integer.toString(rank), RecipeParameter.WORLD_SIZE.flag(),
                    Integer.toString(worldSize)));
        }
        if (master != null) {
            args.addAll(List.of(RecipeParameter.MASTER.flag(), master));
        }
        ForkJvm jvm = ForkJvm.select(toolchainManager, session, jdkToolchain);
        getLog().info("rotquant: the forked compiler runs on " + jvm);
        ForkedCompiler.run(jvm, classpath, args, jvmArgs, threads, getLog()::info);
    }
}
