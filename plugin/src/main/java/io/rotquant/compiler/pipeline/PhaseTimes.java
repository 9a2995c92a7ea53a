package io.rotquant.compiler.pipeline;

import io.rotquant.compiler.torch.Torch;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Wall time summed per named phase of a compile, in the order the phases first ran. On a GPU each
 * phase ends by waiting for the kernels it queued, so its time is its own, not the next one's.
 */
public final class PhaseTimes {
    private final Map<String, Double> seconds = new LinkedHashMap<>();

    public <T> T time(String phase, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            Torch.synchronize();
            seconds.merge(phase, (System.nanoTime() - start) / 1e9, Double::sum);
        }
    }

    public void time(String phase, Runnable work) {
        time(phase, () -> {
            work.run();
            return null;
        });
    }

    public Map<String, Double> seconds() {
        return Collections.unmodifiableMap(seconds);
    }

    /** "phase 1.2 s, phase 3.4 s" for a log line. */
    public static String summary(Map<String, Double> seconds) {
        return seconds.entrySet().stream()
                .map(e -> String.format(java.util.Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
