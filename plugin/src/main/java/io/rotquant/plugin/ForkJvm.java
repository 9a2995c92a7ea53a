package io.rotquant.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.toolchain.Toolchain;
import org.apache.maven.toolchain.ToolchainManager;

/**
 * The JDK the forked compiler runs on: a toolchain that matches the {@code jdkToolchain}
 * requirements, else the one {@code maven-toolchains-plugin} selected for the project, else
 * Maven's own; refused in one line when it is older than the runtime's release.
 *
 * @param java    the {@code java} executable
 * @param feature the JDK's feature version (25 for 25.0.1)
 * @param origin  where it came from, for the log
 */
record ForkJvm(Path java, int feature, String origin) {
    /** fork.properties: filled in by the build from the root pom. */
    private static final Properties BUILD = load();
    /** The oldest JDK the compiler runs on (the runtime's Java release). */
    static final int MINIMUM = Integer.parseInt(BUILD.getProperty("java.minimum"));
    /** The JDK from which JavaCPP needs sun.misc.Unsafe's memory access allowed ({@code jvm.flags.jdk23}). */
    private static final int UNSAFE_FLAGS_FROM = 23;
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(?:1\\.)?(\\d+)", Pattern.MULTILINE);

    static ForkJvm select(ToolchainManager toolchains, MavenSession session, Map<String, String> requirements)
            throws MojoExecutionException {
        ForkJvm jvm;
        if (requirements != null && !requirements.isEmpty()) {
            List<Toolchain> matching = toolchains.getToolchains(session, "jdk", requirements);
            if (matching.isEmpty()) {
                throw new MojoExecutionException("rotquant.jdkToolchain " + requirements
                        + ": no JDK toolchain matches (declare one in ~/.m2/toolchains.xml, or pass -t FILE)");
            }
            jvm = of(matching.get(0), "the toolchain matching " + requirements);
        } else {
            Toolchain selected = toolchains.getToolchainFromBuildContext("jdk", session);
            jvm = selected != null ? of(selected, "the project's JDK toolchain")
                    : new ForkJvm(Path.of(System.getProperty("java.home"), "bin", "java"), Runtime.version().feature(),
                            "Maven's JDK");
        }
        if (jvm.feature < MINIMUM) {
            throw new MojoExecutionException("rotquant: the forked compiler needs JDK " + MINIMUM + " or newer, but "
                    + jvm.origin + " is JDK " + jvm.feature + " (" + jvm.java + ")");
        }
        return jvm;
    }

    private static ForkJvm of(Toolchain toolchain, String origin) throws MojoExecutionException {
        String java = toolchain.findTool("java");
        if (java == null) {
            throw new MojoExecutionException("rotquant: " + origin + " (" + toolchain + ") has no java executable");
        }
        Path executable = Path.of(java);
        return new ForkJvm(executable, feature(executable.getParent().getParent(), origin), origin);
    }

    /** The feature version a JDK's {@code release} file declares. */
    static int feature(Path javaHome, String origin) throws MojoExecutionException {
        Path release = javaHome.resolve("release");
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(release));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            throw new MojoExecutionException("rotquant: " + origin + ": " + release + " has no JAVA_VERSION");
        } catch (IOException e) {
            throw new MojoExecutionException("rotquant: " + origin + ": cannot read " + release
                    + " to tell the JDK's version (" + e.getMessage() + ")");
        }
    }

    /** The JVM flags of a LibTorch process on this JDK (the root pom's torch.jvm.flags). */
    List<String> flags() {
        List<String> flags = new ArrayList<>(List.of(BUILD.getProperty("jvm.flags").trim().split("\\s+")));
        if (feature >= UNSAFE_FLAGS_FROM) {
            flags.addAll(List.of(BUILD.getProperty("jvm.flags.jdk23").trim().split("\\s+")));
        }
        return flags;
    }

    private static Properties load() {
        try (InputStream in = ForkJvm.class.getResourceAsStream("fork.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "JDK " + feature + ", " + origin + " (" + java + ")";
    }
}
