package io.rotquant.plugin;

import io.rotquant.compiler.recipe.ParameterNames;
import java.io.File;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoExecutionException;
import org.codehaus.plexus.util.cli.CommandLineException;
import org.codehaus.plexus.util.cli.CommandLineTimeOutException;
import org.codehaus.plexus.util.cli.CommandLineUtils;
import org.codehaus.plexus.util.cli.Commandline;

/**
 * Runs the compiler's command line in a child JVM on the plugin's classpath (libtorch.md, "The
 * JVM": a native library loads once per JVM, and Maven reuses plugin realms), streaming its lines
 * into Maven's log, through Plexus Utils' command line. The child is stopped when this thread is
 * interrupted (Plexus destroys the process); a stopped child unwinds at its next checkpoint, so it
 * never dies inside LibTorch.
 */
final class ForkedCompiler {
    private static final String MAIN = "io.rotquant.cli.RotquantCli";

    private ForkedCompiler() {
    }

    /** Runs the CLI with {@code args} on {@code jvm} with {@code classpath} (the plugin's jar and its resolved dependencies). */
    static void run(ForkJvm jvm, List<File> classpath, List<String> args, List<String> jvmArgs, Integer threads,
            Consumer<String> log) throws MojoExecutionException {
        Commandline command = new Commandline();
        command.setExecutable(jvm.java().toString());
        command.addArguments(jvm.flags().toArray(String[]::new));
        // The fork's messages name settings as Maven users set them (ParameterNames), so no text is rewritten here.
        command.addArguments(new String[] {"-D" + ParameterNames.PROPERTY + "=maven"});
        if (jvmArgs != null) {
            command.addArguments(jvmArgs.toArray(String[]::new));
        }
        command.addArguments(new String[] {"-cp",
                classpath.stream().map(File::getPath).collect(Collectors.joining(File.pathSeparator)), MAIN});
        command.addArguments(args.toArray(String[]::new));
        command.addEnvironment("MALLOC_MMAP_THRESHOLD_", "131072");
        // LibTorch's warnings carry C++ stack frames; its errors reach the user as one line anyway.
        command.addEnvironment("TORCH_CPP_LOG_LEVEL", "ERROR");
        command.addEnvironment("OPENBLAS_NUM_THREADS",
                Integer.toString(threads != null && threads > 0 ? threads : Runtime.getRuntime().availableProcessors()));
        AtomicReference<String> lastError = new AtomicReference<>();
        int code;
        try {
            code = CommandLineUtils.executeCommandLine(command, log::accept, line -> {
                if (line.startsWith("rotquant: ")) {
                    lastError.set(line);
                } else if (!line.startsWith("WARNING: Using incubator modules")) {
                    log.accept(line);
                }
            });
        } catch (CommandLineTimeOutException e) {
            // Plexus reports an interrupted wait so; it has destroyed the child already.
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("interrupted; the compiler JVM was asked to stop", e);
        } catch (CommandLineException e) {
            throw new MojoExecutionException("cannot start the compiler JVM " + jvm.java() + ": " + e.getMessage(), e);
        }
        if (code != 0) {
            String line = lastError.get() == null ? "exit code " + code : lastError.get();
            throw new MojoExecutionException(line.replaceFirst("^rotquant: (error: )?", ""));
        }
    }
}
