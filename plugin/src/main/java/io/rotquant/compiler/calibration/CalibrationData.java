package io.rotquant.compiler.calibration;

import static io.rotquant.compiler.recipe.RecipeParameter.CALIBRATION;
import static io.rotquant.compiler.recipe.RecipeParameter.NSAMPLES;

import io.rotquant.compiler.InputText;
import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import io.rotquant.runtime.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * Calibration windows (specification.md §6.1): the whole text tokenized once, then {@code nsamples}
 * windows of {@code seqlen} tokens starting at uniformly drawn offsets (seeded). A {@code .jsonl}
 * file contributes the {@code "text"} member of every line, joined by blank lines; anything else is
 * read as plain UTF-8 text. Asking for more windows than the text holds without overlap
 * (⌊tokens / seqlen⌋) is refused.
 */
public final class CalibrationData {
    /** The embedded default: the text of the first 1,000 C4 train documents (see its ATTRIBUTION). */
    public static final String DEFAULT_RESOURCE = "/io/rotquant/calibration/c4-train-sample.txt.gz";
    public static final String DEFAULT_NAME = "embedded C4 sample";

    private CalibrationData() {
    }

    /** The text of a calibration file, or of the embedded default when {@code file} is null. */
    public static String text(Path file) {
        if (file == null) {
            try (InputStream in = CalibrationData.class.getResourceAsStream(DEFAULT_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
                }
                return new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE, e);
            }
        }
        String content = InputText.read(file, CALIBRATION.named());
        String text = file.getFileName().toString().endsWith(".jsonl") ? jsonLines(file, content) : content;
        if (text.isBlank()) {
            throw new InvalidInputException(CALIBRATION.named() + " " + file + ": no text in the file");
        }
        return text;
    }

    private static String jsonLines(Path file, String content) {
        List<String> texts = new ArrayList<>();
        String[] lines = content.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                texts.add(JsonObject.parse(file + " line " + (i + 1), lines[i]).string("text"));
            } catch (JsonException e) {
                throw new InvalidInputException(CALIBRATION.named() + " " + e.getMessage(), e);
            }
        }
        return String.join("\n\n", texts);
    }

    /** {@code nsamples} windows of {@code seqlen} token ids drawn from {@code text} with {@code seed}. */
    public static List<long[]> windows(String name, String text, Tokenizer tokenizer, int nsamples, int seqlen, long seed) {
        if (nsamples < 1) {
            throw new InvalidInputException(NSAMPLES.named() + " must be positive, got " + nsamples);
        }
        return windows(name, text, tokenizer, nsamples, seqlen, seed, NSAMPLES.named() + " " + nsamples);
    }

    /**
     * {@code count} training windows: as many distinct windows as the text holds (at most
     * {@code count}), drawn as {@link #windows}, then the same windows again epoch after epoch,
     * each epoch in its own seeded order. Rotation training takes 100 steps of 8 windows of 2048
     * tokens (the papers' budget); the embedded sample holds 350 such windows, so it is seen about
     * 2.3 times, as a training set of 800 windows is seen once per epoch.
     */
    public static List<long[]> epochs(String name, String text, Tokenizer tokenizer, int count, int seqlen, long seed,
            String request) {
        int[] ids = tokenizer.encode(text);
        int distinct = Math.min(count, ids.length / seqlen);
        List<long[]> drawn = windows(name, ids, Math.max(distinct, 1), seqlen, seed, request);
        List<long[]> all = new ArrayList<>(drawn);
        SplittableRandom order = new SplittableRandom(seed ^ 0x5EEDE90C5L);
        while (all.size() < count) {
            List<long[]> epoch = new ArrayList<>(drawn);
            java.util.Collections.shuffle(epoch, new java.util.Random(order.nextLong()));
            all.addAll(epoch.subList(0, Math.min(epoch.size(), count - all.size())));
        }
        return all;
    }

    /** As above; {@code request} names the flags that asked for the windows in the error message. */
    public static List<long[]> windows(String name, String text, Tokenizer tokenizer, int nsamples, int seqlen, long seed,
            String request) {
        return windows(name, tokenizer.encode(text), nsamples, seqlen, seed, request);
    }

    private static List<long[]> windows(String name, int[] ids, int nsamples, int seqlen, long seed, String request) {
        int holds = ids.length / seqlen;
        if (nsamples > holds) {
            throw new InvalidInputException(request + " is more than " + name + " holds: " + ids.length
                    + " tokens make " + holds + " windows of " + seqlen);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<long[]> windows = new ArrayList<>(nsamples);
        for (int s = 0; s < nsamples; s++) {
            int start = random.nextInt(ids.length - seqlen + 1);
            long[] window = new long[seqlen];
            for (int t = 0; t < seqlen; t++) {
                window[t] = ids[start + t];
            }
            windows.add(window);
        }
        return windows;
    }
}
