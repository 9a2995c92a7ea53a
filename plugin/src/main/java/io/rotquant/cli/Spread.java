package io.rotquant.cli;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Figures measured once per seed: their mean and sample standard deviation, for a table cell. */
record Spread(List<Double> values) {
    static Spread of(List<Double> values) {
        return new Spread(List.copyOf(values));
    }

    double mean() {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n − 1); NaN for a single value. */
    double deviation() {
        if (values.size() < 2) {
            return Double.NaN;
        }
        double mean = mean();
        double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(squares / (values.size() - 1));
    }

    /** Each value less the base's at the same place (the same seed): a paired gap. */
    static Spread differences(List<Double> values, List<Double> base) {
        if (values.size() != base.size()) {
            throw new IllegalArgumentException(values.size() + " values against " + base.size() + " of the base");
        }
        return of(java.util.stream.IntStream.range(0, values.size()).mapToObj(i -> values.get(i) - base.get(i)).toList());
    }

    /** "29.8356" for one value, "29.84 ± 0.05 (29.80, 29.83, 29.90)" for several. */
    String format(int digits) {
        return format("%." + digits + "f", digits);
    }

    /** As {@link #format(int)}, every value and the mean with its sign: "+0.401 ± 0.031 (+0.433, +0.372, +0.399)". */
    String formatSigned(int digits) {
        return format("%+." + digits + "f", digits);
    }

    /** {@code one} formats the mean and each value; the deviation has {@code digits} and no sign. */
    private String format(String one, int digits) {
        if (values.size() == 1) {
            return String.format(Locale.ROOT, one, values.get(0));
        }
        String each = values.stream().map(v -> String.format(Locale.ROOT, one, v)).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, one + " ± %." + digits + "f (%s)", mean(), deviation(), each);
    }
}
