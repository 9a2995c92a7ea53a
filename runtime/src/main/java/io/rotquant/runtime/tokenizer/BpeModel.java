package io.rotquant.runtime.tokenizer;

import io.rotquant.runtime.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding of one pre-tokenized word, with the reference's merge order: the pair of
 * lowest merge rank is merged first, the leftmost one among equal ranks; characters missing from
 * the vocabulary fall back to {@code <0xXX>} byte tokens or to the unknown token.
 * Thread-safe; words up to {@value #CACHE_WORD_LENGTH} characters are cached.
 */
final class BpeModel {
    private static final int CACHE_WORD_LENGTH = 64;
    private static final int CACHE_ENTRIES = 200_000;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    /** (left id, right id) → (rank, merged id), both packed into longs. */
    private final Map<Long, Long> merges;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    private final int[] byteTokens = new int[256];
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private BpeModel(Map<String, Integer> vocab, String[] idToToken, Map<Long, Long> merges, int unkId,
            boolean fuseUnk, boolean byteFallback, boolean ignoreMerges) {
        this.vocab = vocab;
        this.idToToken = idToToken;
        this.merges = merges;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
        }
    }

    static BpeModel from(JsonObject spec) {
        String type = spec.string("type");
        if (!type.equals("BPE")) {
            throw new TokenizerException(spec.where() + ": unsupported model type '" + type + "' (only BPE)");
        }
        if (spec.has("continuing_subword_prefix") || spec.has("end_of_word_suffix")) {
            throw new TokenizerException(spec.where() + ": subword prefixes/suffixes are not supported");
        }
        JsonObject vocabJson = spec.object("vocab");
        Map<String, Integer> vocab = new HashMap<>();
        int maxId = -1;
        for (Map.Entry<String, Object> e : vocabJson.members().entrySet()) {
            int id = (int) vocabJson.integer(e.getKey());
            if (id < 0) {
                throw new TokenizerException(spec.where() + ": negative id for token '" + e.getKey() + "'");
            }
            vocab.put(e.getKey(), id);
            maxId = Math.max(maxId, id);
        }
        String[] idToToken = new String[maxId + 1];
        vocab.forEach((token, id) -> idToToken[id] = token);

        List<Object> mergeList = spec.array("merges");
        Map<Long, Long> merges = new HashMap<>(mergeList.size() * 2);
        for (int rank = 0; rank < mergeList.size(); rank++) {
            String[] pair = mergePair(spec, mergeList.get(rank));
            Integer left = vocab.get(pair[0]);
            Integer right = vocab.get(pair[1]);
            Integer merged = vocab.get(pair[0] + pair[1]);
            if (left == null || right == null || merged == null) {
                throw new TokenizerException(spec.where() + ": merge " + rank + " ('" + pair[0] + "', '" + pair[1]
                        + "') uses a token that is not in the vocabulary");
            }
            merges.putIfAbsent(key(left, right), ((long) rank << 32) | merged);
        }
        int unkId = spec.optString("unk_token").map(u -> {
            Integer id = vocab.get(u);
            if (id == null) {
                throw new TokenizerException(spec.where() + ": unk_token '" + u + "' is not in the vocabulary");
            }
            return id;
        }).orElse(-1);
        return new BpeModel(vocab, idToToken, merges, unkId, spec.bool("fuse_unk", false),
                spec.bool("byte_fallback", false), spec.bool("ignore_merges", false));
    }

    private static String[] mergePair(JsonObject spec, Object merge) {
        if (merge instanceof String s) {
            int space = s.indexOf(' ', 1);
            if (space > 0) {
                return new String[] {s.substring(0, space), s.substring(space + 1)};
            }
        } else if (merge instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String a
                && l.get(1) instanceof String b) {
            return new String[] {a, b};
        }
        throw new TokenizerException(spec.where() + ": malformed merge " + merge);
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    Integer idOf(String token) {
        return vocab.get(token);
    }

    String tokenOf(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    int size() {
        return idToToken.length;
    }

    /** The token ids of one word. */
    int[] encodeWord(String word) {
        if (word.length() <= CACHE_WORD_LENGTH) {
            int[] cached = cache.get(word);
            if (cached != null) {
                return cached;
            }
        }
        int[] ids = merge(word);
        if (word.length() <= CACHE_WORD_LENGTH && cache.size() < CACHE_ENTRIES) {
            cache.put(word, ids);
        }
        return ids;
    }

    private int[] merge(String word) {
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int[] symbols = initialSymbols(word);
        int n = symbols.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] removed = new boolean[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Queue entries: rank in the high bits, position in the low bits: min rank, then leftmost.
        PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : Long.compare(a[1], b[1]));
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, symbols, i, i + 1);
        }
        while (!queue.isEmpty()) {
            long[] top = queue.poll();
            int pos = (int) top[1];
            int mergedId = (int) top[2];
            if (removed[pos] || next[pos] < 0) {
                continue;
            }
            int right = next[pos];
            Long merge = merges.get(key(symbols[pos], symbols[right]));
            if (merge == null || (int) (long) merge != mergedId) {
                continue;
            }
            symbols[pos] = mergedId;
            removed[right] = true;
            next[pos] = next[right];
            if (next[pos] >= 0) {
                prev[next[pos]] = pos;
            }
            if (prev[pos] >= 0) {
                offer(queue, symbols, prev[pos], pos);
            }
            if (next[pos] >= 0) {
                offer(queue, symbols, pos, next[pos]);
            }
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (!removed[i]) {
                count++;
            }
        }
        int[] out = new int[count];
        for (int i = 0, j = 0; i < n; i++) {
            if (!removed[i]) {
                out[j++] = symbols[i];
            }
        }
        return out;
    }

    private void offer(PriorityQueue<long[]> queue, int[] symbols, int left, int right) {
        Long merge = merges.get(key(symbols[left], symbols[right]));
        if (merge != null) {
            queue.add(new long[] {merge >>> 32, left, (int) (long) merge});
        }
    }

    /** One symbol per character, with byte fallback or (fused) unknown tokens for the rest. */
    private int[] initialSymbols(String word) {
        int[] out = new int[word.length() * 4];
        int n = 0;
        boolean pendingUnk = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            i += ch.length();
            Integer id = vocab.get(ch);
            if (id != null) {
                if (pendingUnk) {
                    out[n++] = unkId;
                    pendingUnk = false;
                }
                out[n++] = id;
                continue;
            }
            if (byteFallback && allBytesKnown(ch)) {
                for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
                    out[n++] = byteTokens[b & 0xFF];
                }
                continue;
            }
            if (unkId < 0) {
                throw new TokenizerException("character U+" + Integer.toHexString(cp).toUpperCase()
                        + " is not in the vocabulary and the tokenizer has no unk_token");
            }
            if (pendingUnk && !fuseUnk) {
                out[n++] = unkId;
            }
            pendingUnk = true;
        }
        if (pendingUnk) {
            out[n++] = unkId;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private boolean allBytesKnown(String ch) {
        for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
            if (byteTokens[b & 0xFF] < 0) {
                return false;
            }
        }
        return true;
    }
}
