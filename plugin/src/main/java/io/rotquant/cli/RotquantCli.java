package io.rotquant.cli;

import io.rotquant.compiler.InvalidInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code bin/rotquant}. Bad input ends with one line on stderr and exit code 2;
 * an unexpected failure with one line and exit code 1 (the stack trace only with
 * {@code ROTQUANT_DEBUG=1}).
 */
@Command(name = "rotquant", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Rotated 4-bit LLM compiler for the JVM.",
        subcommands = {EvalCommand.class, CompareCommand.class, ZeroShotCommand.class, BenchCommand.class, BenchOnlineCommand.class, BenchRuntimeCommand.class, SynthCommand.class, CompileCommand.class, PplCommand.class, RunCommand.class, InspectCommand.class,
            CommandLine.HelpCommand.class})
public final class RotquantCli {
    static final int EXIT_INVALID_INPUT = 2;
    static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new RotquantCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(commandLine.getErr(), e));
        cli.setParameterExceptionHandler((e, args1) -> {
            e.getCommandLine().getErr().println("rotquant: " + e.getMessage()
                    + " (see 'rotquant " + e.getCommandLine().getCommandName() + " --help')");
            return EXIT_INVALID_INPUT;
        });
        return cli.execute(args);
    }

    private static int report(PrintWriter err, Exception e) {
        if (e instanceof InvalidInputException) {
            err.println("rotquant: error: " + e.getMessage());
            return EXIT_INVALID_INPUT;
        }
        err.println("rotquant: internal error: " + e + (System.getenv("ROTQUANT_DEBUG") == null
                ? " (set ROTQUANT_DEBUG=1 for the stack trace)" : ""));
        if (System.getenv("ROTQUANT_DEBUG") != null) {
            e.printStackTrace(err);
        }
        return EXIT_FAILURE;
    }
}
