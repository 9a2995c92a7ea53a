package io.rotquant.compiler.rotation;

import java.util.Map;
import java.util.Set;

/**
 * The non-power-of-two Hadamard matrices {@code had_K} the reference implementations ship, built
 * from their closed forms (Paley I and II, doubling, Williamson) instead of stored tables. Entries
 * are ±1 and {@code H·Hᵀ = K·I}.
 */
public final class HadamardTables {
    /**
     * Orders that, times a power of two, cover the model sizes the references support, and two
     * more of the project's own for Qwen2's intermediate sizes: 76 (4,864 = 76·64, Qwen2.5-0.5B) and
     * 148 (18,944 = 148·128, Qwen2-7B and Qwen2.5-7B).
     */
    public static final Set<Integer> ORDERS = Set.of(12, 20, 28, 36, 40, 44, 52, 60, 76, 108, 140, 148, 156, 172);
    /** Of {@link #ORDERS}, those no reference implementation ships a table of. */
    public static final Set<Integer> OWN_ORDERS = Set.of(76, 148);

    /** Williamson first rows (A, B, C, D) for K = 4p. */
    private static final Map<Integer, String[]> WILLIAMSON = Map.of(
            52, new String[] {"+-+--++++--+-", "+---++++++---", "++-+--++--+-+", "+----+--+----"},
            156, new String[] {
                "+++--+-+-----+--++----++--+-----+-+--++",
                "++++---+--++----+-+--+-+----++--+---+++",
                "+++--++-+---+-+--+----+--+-+---+-++--++",
                "+---++-+-+-----+++-++-+++-----+-+-++---"},
            172, new String[] {
                "+---++--++++-+-+++-++--++-+++-+-++++--++---",
                "++-++++++----+-+--++-++-++--+-+----++++++-+",
                "+++-+-++--+-+-++++-+----+-++++-+-+--++-+-++",
                "++---++++-+--+--++--------++--+--+-++++---+"});

    private HadamardTables() {
    }

    /** {@code had_K} as a K×K matrix of ±1; K = 1 gives [[1]]. */
    public static int[][] of(int k) {
        return switch (k) {
            case 1 -> new int[][] {{1}};
            case 12, 20, 44, 60, 108, 140 -> paleyOne(k - 1);
            case 28, 36, 76, 148 -> paleyTwo((k / 2) - 1);
            case 40 -> doubled(paleyOne(19));
            case 52, 156, 172 -> williamson(WILLIAMSON.get(k));
            default -> throw new IllegalArgumentException("no Hadamard table of order " + k);
        };
    }

    /** {@code had_K} row-major as signed bytes, the artifact's I8 encoding (K² entries). */
    public static byte[] bytes(int k) {
        int[][] had = of(k);
        byte[] table = new byte[k * k];
        for (int i = 0; i < table.length; i++) {
            table[i] = (byte) had[i / k][i % k];
        }
        return table;
    }

    /** Quadratic character of a modulo prime q: 0, +1 (non-zero square) or −1. */
    private static int chi(int a, int q) {
        int r = Math.floorMod(a, q);
        if (r == 0) {
            return 0;
        }
        for (int x = 1; x < q; x++) {
            if ((x * x) % q == r) {
                return 1;
            }
        }
        return -1;
    }

    /** Paley I, q ≡ 3 (mod 4): order q+1. */
    private static int[][] paleyOne(int q) {
        int n = q + 1;
        int[][] h = new int[n][n];
        h[0][0] = 1;
        for (int j = 1; j < n; j++) {
            h[0][j] = -1;
            h[j][0] = 1;
        }
        for (int i = 1; i < n; i++) {
            for (int j = 1; j < n; j++) {
                h[i][j] = (i == j ? 1 : 0) - chi(j - i, q);
            }
        }
        return h;
    }

    /** Paley II, q ≡ 1 (mod 4): order 2(q+1), blocks [[C+I, C−I], [C−I, −C−I]]. */
    private static int[][] paleyTwo(int q) {
        int n = q + 1;
        int[][] c = new int[n][n];
        for (int j = 1; j < n; j++) {
            c[0][j] = 1;
            c[j][0] = 1;
        }
        for (int i = 1; i < n; i++) {
            for (int j = 1; j < n; j++) {
                c[i][j] = chi(j - i, q);
            }
        }
        int[][] h = new int[2 * n][2 * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int id = i == j ? 1 : 0;
                h[i][j] = c[i][j] + id;
                h[i][j + n] = c[i][j] - id;
                h[i + n][j] = c[i][j] - id;
                h[i + n][j + n] = -c[i][j] - id;
            }
        }
        return h;
    }

    private static int[][] doubled(int[][] h) {
        int n = h.length;
        int[][] out = new int[2 * n][2 * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i][j] = h[i][j];
                out[i][j + n] = h[i][j];
                out[i + n][j] = h[i][j];
                out[i + n][j + n] = -h[i][j];
            }
        }
        return out;
    }

    /** Williamson array [[A,B,C,D],[−B,A,−D,C],[−C,D,A,−B],[−D,−C,B,A]] of circulants. */
    private static int[][] williamson(String[] rows) {
        int p = rows[0].length();
        int[][][] blocks = new int[4][][];
        for (int b = 0; b < 4; b++) {
            blocks[b] = circulant(rows[b]);
        }
        int[][] layout = {{0, 1, 2, 3}, {1, 0, 3, 2}, {2, 3, 0, 1}, {3, 2, 1, 0}};
        int[][] signs = {{1, 1, 1, 1}, {-1, 1, -1, 1}, {-1, 1, 1, -1}, {-1, -1, 1, 1}};
        int[][] h = new int[4 * p][4 * p];
        for (int bi = 0; bi < 4; bi++) {
            for (int bj = 0; bj < 4; bj++) {
                int[][] block = blocks[layout[bi][bj]];
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < p; j++) {
                        h[bi * p + i][bj * p + j] = signs[bi][bj] * block[i][j];
                    }
                }
            }
        }
        return h;
    }

    private static int[][] circulant(String row) {
        int p = row.length();
        int[][] c = new int[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                c[i][j] = row.charAt(Math.floorMod(j - i, p)) == '+' ? 1 : -1;
            }
        }
        return c;
    }
}
