package io.rotquant.runtime.model;

import io.rotquant.runtime.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Turns generated token ids into text pieces as they come, without re-decoding the whole output
 * and without ever splitting a character: each step decodes the few tokens since the last piece
 * with the previous piece's tokens in front (a tokenizer may drop a leading space at the start of
 * what it decodes, so the context keeps word boundaries right), and holds the text back while it
 * ends in an incomplete UTF-8 sequence (decoded as U+FFFD) that later byte tokens will complete.
 */
final class TextStream {
    private static final char INCOMPLETE = '\uFFFD';

    private final Tokenizer tokenizer;
    private int[] ids = new int[16];
    private int size;
    private int prefixStart;
    private int readStart;

    TextStream(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The text {@code token} completes, possibly empty. */
    String push(int token) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, 2 * size);
        }
        ids[size++] = token;
        return piece(false);
    }

    /** What is still held back, at the end of the generation. */
    String flush() {
        return piece(true);
    }

    private String piece(boolean last) {
        String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, readStart), true);
        String now = tokenizer.decode(Arrays.copyOfRange(ids, prefixStart, size), true);
        if (now.length() <= before.length() || (!last && now.charAt(now.length() - 1) == INCOMPLETE)) {
            return "";
        }
        prefixStart = readStart;
        readStart = size;
        return now.substring(before.length());
    }
}
