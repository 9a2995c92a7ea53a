package io.rotquant.cli;

import io.rotquant.compiler.Cancellation;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.distributed.RankLostException;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code bin/rotquant}. Bad input ends with one line on stderr and exit code 2;
 * an unexpected failure with one line and exit code 1 (the stack trace only with
 * {@code ROTQUANT_DEBUG=1}); a stop request (SIGTERM, Ctrl-C) with "cancelled" once the work has
 * unwound.
 */
@Command(name = "rotquant", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Rotated 4-bit LLM compiler for the JVM.",
        subcommands = {EvalCommand.class, CompareCommand.class, AblateCommand.class, ZeroShotCommand.class, BenchCommand.class, BenchOnlineCommand.class, BenchRuntimeCommand.class, BenchDeviceCommand.class, SynthCommand.class, CompileCommand.class, NativesCommand.class, PplCommand.class, RunCommand.class, ChatCommand.class, InspectCommand.class,
            CommandLine.HelpCommand.class})
public final class RotquantCli {
    static final int EXIT_INVALID_INPUT = 2;
    static final int EXIT_FAILURE = 1;

    static final int EXIT_CANCELLED = 130;
    /** How long a stopping JVM waits for the work to reach a checkpoint (a training step, a window, a layer). */
    private static final long CANCEL_WAIT_SECONDS = 120;

    public static void main(String[] args) {
        // On SIGTERM or Ctrl-C the work stops at its next checkpoint and unwinds before the JVM
        // exits: exiting during a LibTorch call crashes in LibTorch's exit-time destructors.
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Cancellation.request();
            try {
                finished.await(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rotquant-cancel"));
        int code;
        try {
            code = run(args);
        } finally {
            finished.countDown();
        }
        System.exit(code);
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new RotquantCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(commandLine.getErr(), e));
        cli.setParameterExceptionHandler((e, args1) -> {
            e.getCommandLine().getErr().println("rotquant: " + e.getMessage()
                    + " (see 'rotquant " + e.getCommandLine().getCommandName() + " --help')");
            return EXIT_INVALID_INPUT;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // An Error passes picocli's handler. The JVM was given too little, which is not a bug: say how to give it more.
            System.err.printf(java.util.Locale.ROOT, "rotquant: error: out of memory (%s; the heap may grow to %d MB): "
                    + "give the JVM more, e.g. ROTQUANT_JAVA_OPTS=-Xmx4g%n", e.getMessage(),
                    Runtime.getRuntime().maxMemory() >> 20);
            return EXIT_FAILURE;
        }
    }

    private static int report(PrintWriter err, Exception e) {
        if (e instanceof Cancellation.CancelledException) {
            err.println("rotquant: cancelled");
            return EXIT_CANCELLED;
        }
        if (e instanceof RankLostException) {
            err.println("rotquant: error: " + e.getMessage());
            return EXIT_FAILURE;
        }
        if (e instanceof InvalidInputException) {
            err.println("rotquant: error: " + e.getMessage());
            return EXIT_INVALID_INPUT;
        }
        String outOfMemory = GpuOutOfMemory.describe(e);
        if (outOfMemory != null) {
            err.println("rotquant: error: " + outOfMemory);
            return EXIT_FAILURE;
        }
        err.println("rotquant: internal error: " + e + (System.getenv("ROTQUANT_DEBUG") == null
                ? " (set ROTQUANT_DEBUG=1 for the stack trace)" : ""));
        if (System.getenv("ROTQUANT_DEBUG") != null) {
            e.printStackTrace(err);
        }
        return EXIT_FAILURE;
    }
}
