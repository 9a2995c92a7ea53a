package io.rotquant.cli;

import io.rotquant.compiler.Cancellation;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Child processes running this CLI in a JVM like this one (its java, flags and classpath), and waiting for them. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** This JVM's command line running the CLI with {@code args}. */
    static List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RotquantCli.class.getName()));
        command.addAll(args);
        return command;
    }

    /** {@code args} less every option named in {@code valued} (each takes a value: "--o v" or "--o=v"). */
    static List<String> without(List<String> args, Set<String> valued) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (!valued.contains(name)) {
                out.add(a);
            } else if (name.equals(a)) {
                i++;  // and its value
            }
        }
        return out;
    }

    /** Waits {@code millis} between looks at the children; an interrupt asks this process to stop. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Cancellation.request();
        }
    }

    /** Waits for a child that was told to stop. */
    static void waitFor(Process p) {
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
