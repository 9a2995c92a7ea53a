package io.rotquant.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LibTorch's CUDA out-of-memory error (a page of allocator state and C++ frames) as one line:
 * what was asked, what the card had free, and which settings shrink the work.
 */
final class GpuOutOfMemory {
    private static final Pattern SUMMARY = Pattern.compile(
            "CUDA out of memory\\. Tried to allocate ([^.]+\\.\\d+ [KMG]iB|[^.]+)\\. GPU (\\d+) has a total capacity of "
                    + "([\\d.]+ [KMG]iB) of which ([\\d.]+ [KMG]iB) is free");

    private GpuOutOfMemory() {
    }

    /** The one line for {@code e}, or null when it is not a CUDA out-of-memory error. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || !message.contains("CUDA out of memory")) {
            return null;
        }
        Matcher m = SUMMARY.matcher(message);
        String what = m.find() ? String.format("asked for %s more on cuda:%s, which has %s with %s free", m.group(1),
                m.group(2), m.group(3), m.group(4)) : "the card's memory is full";
        return "out of GPU memory: " + what + "; hold one layer at a time or use fewer or shorter "
                + "windows (--train-memory layer, --train-batch, --train-seqlen for learned rotations; --nsamples, --seqlen "
                + "for GPTQ) or a card with more memory";
    }
}
