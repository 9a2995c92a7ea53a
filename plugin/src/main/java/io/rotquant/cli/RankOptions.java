package io.rotquant.cli;

import io.rotquant.compiler.recipe.RecipeDefaults;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.compiler.distributed.RankSpec;
import picocli.CommandLine.Option;

/** How many processes share a compile: local ones started here, or this process's place in a job across machines. */
final class RankOptions {
    @Option(names = "--nproc", defaultValue = RecipeDefaults.PROCESSES, paramLabel = "N",
            description = "Processes on this machine that share the compile: one per GPU with --device cuda (rank r on"
                    + " cuda:r), CPU processes otherwise (default: ${DEFAULT-VALUE}).")
    int nproc;

    @Option(names = "--rank", defaultValue = RecipeDefaults.RANK, paramLabel = "R",
            description = "In a job across machines: this process's rank, 0 serves the rendezvous and writes the artifact.")
    int rank;

    @Option(names = "--world-size", defaultValue = RecipeDefaults.WORLD_SIZE, paramLabel = "W",
            description = "In a job across machines: the number of ranks (default: ${DEFAULT-VALUE}).")
    int worldSize;

    @Option(names = "--master", paramLabel = "HOST:PORT", description = "In a job across machines: rank 0's address.")
    String master;

    /** Whether this process starts the local ranks instead of computing. */
    boolean launches() {
        if (nproc < 1) {
            throw new InvalidInputException("--nproc must be at least 1, got " + nproc);
        }
        if (nproc > 1 && worldSize > 1) {
            throw new InvalidInputException("--nproc " + nproc + " starts a job on this machine and --world-size "
                    + worldSize + " joins one: give one of them");
        }
        return nproc > 1;
    }

    /** This process's place in the job (rank 0 of 1 for a plain compile). */
    RankSpec spec() {
        return RankSpec.of(rank, worldSize, master);
    }
}
