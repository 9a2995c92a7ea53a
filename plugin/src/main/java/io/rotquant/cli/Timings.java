package io.rotquant.cli;

import java.util.Arrays;

/** Order statistics of repeated timings (seconds), for the bench commands. */
record Timings(double median, double min, double max, int runs) {
    static Timings of(double[] seconds) {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Timings(median, sorted[0], sorted[n - 1], n);
    }
}
