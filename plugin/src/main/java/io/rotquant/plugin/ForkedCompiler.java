package io.rotquant.plugin;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * Runs the compiler's command line in a child JVM on the plugin's classpath (libtorch.md, "The
 * JVM": a native library loads once per JVM, and Maven reuses plugin realms), streaming its lines
 * into Maven's log. The child is stopped if this thread is interrupted; a stopped child unwinds at
 * its next checkpoint, so it never dies inside LibTorch.
 */
final class ForkedCompiler {
    private static final String MAIN = "io.rotquant.cli.RotquantCli";

    private ForkedCompiler() {
    }

    /** Runs the CLI with {@code args} on {@code classpath} (the plugin's jar and its resolved dependencies). */
    static void run(List<File> classpath, List<String> args, List<String> jvmArgs, Integer threads, Consumer<String> log)
            throws MojoExecutionException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "-Dorg.bytedeco.javacpp.logger=slf4j", "-Xss8m", "--add-modules", "jdk.incubator.vector"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (jvmArgs != null) {
            command.addAll(jvmArgs);
        }
        command.addAll(List.of("-cp", classpath.stream().map(File::getPath).collect(Collectors.joining(File.pathSeparator)), MAIN));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("MALLOC_MMAP_THRESHOLD_", "131072");
        builder.environment().put("OPENBLAS_NUM_THREADS",
                Integer.toString(threads != null && threads > 0 ? threads : Runtime.getRuntime().availableProcessors()));
        AtomicReference<String> lastError = new AtomicReference<>();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new MojoExecutionException("cannot start the compiler JVM " + command.get(0) + ": " + e.getMessage(), e);
        }
        Thread errors = pump(process.getErrorStream(), line -> {
            if (line.startsWith("rotquant: ")) {
                lastError.set(line);
            } else if (!line.startsWith("WARNING: Using incubator modules")) {
                log.accept(line);
            }
        });
        Thread output = pump(process.getInputStream(), log);
        try {
            int code = process.waitFor();
            errors.join();
            output.join();
            if (code != 0) {
                String line = lastError.get() == null ? "exit code " + code : lastError.get();
                throw new MojoExecutionException(MavenNames.of(line.replaceFirst("^rotquant: (error: )?", "")));
            }
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("interrupted; the compiler JVM was asked to stop", e);
        }
    }

    private static Thread pump(InputStream stream, Consumer<String> sink) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                reader.lines().forEach(sink);
            } catch (IOException e) {
                sink.accept("(compiler output lost: " + e.getMessage() + ")");
            }
        }, "rotquant-fork-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

}
