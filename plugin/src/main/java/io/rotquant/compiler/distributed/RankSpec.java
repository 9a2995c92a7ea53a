package io.rotquant.compiler.distributed;

import static io.rotquant.compiler.recipe.RecipeParameter.MASTER;
import static io.rotquant.compiler.recipe.RecipeParameter.RANK;
import static io.rotquant.compiler.recipe.RecipeParameter.WORLD_SIZE;

import io.rotquant.compiler.InvalidInputException;

/**
 * Where one process stands in a compile job: its rank, the number of ranks, and the rendezvous
 * ({@code host:port} of the TCPStore that rank 0 serves). A single process is rank 0 of 1.
 */
public record RankSpec(int rank, int size, String host, int port) {
    /** The plain, one-process compile. */
    public static final RankSpec SINGLE = new RankSpec(0, 1, null, 0);

    public RankSpec {
        if (size < 1) {
            throw new InvalidInputException(WORLD_SIZE.named() + " must be at least 1, got " + size);
        }
        if (rank < 0 || rank >= size) {
            throw new InvalidInputException(RANK.named() + " " + rank + " is outside 0.." + (size - 1) + " (" + WORLD_SIZE.named() + " " + size + ")");
        }
        if (size > 1 && host == null) {
            throw new InvalidInputException(MASTER.named() + " must be HOST:PORT with a port in 1..65535 for a job of " + size
                    + " ranks");
        }
    }

    /**
     * The spec of rank {@code rank} of {@code size}, with the rendezvous {@code master} as
     * {@code HOST:PORT}; a job of one with a master still runs the distributed path (to measure it).
     */
    public static RankSpec of(int rank, int size, String master) {
        if (size < 1 || (size == 1 && master == null)) {
            return new RankSpec(rank, size, null, 0);
        }
        if (master == null) {
            throw new InvalidInputException(WORLD_SIZE.named() + " " + size + " needs " + MASTER.named() + " HOST:PORT (rank 0's address)");
        }
        int colon = master.lastIndexOf(':');
        int port;
        try {
            port = colon > 0 ? Integer.parseInt(master.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new InvalidInputException(MASTER.named() + " " + master + ": expected HOST:PORT with a port in 1..65535");
        }
        return new RankSpec(rank, size, master.substring(0, colon), port);
    }

    /** Whether this process computes alone, joining no process group ({@code --world-size 1 --master} joins one of one). */
    public boolean single() {
        return host == null;
    }

    /** Whether the rendezvous is on this machine's loopback interface (a job of local processes). */
    boolean loopback() {
        return "127.0.0.1".equals(host) || "localhost".equals(host) || "::1".equals(host);
    }

    /** "rank R/W", the prefix of every line a rank logs. */
    public String label() {
        return "rank " + rank + "/" + size;
    }
}
