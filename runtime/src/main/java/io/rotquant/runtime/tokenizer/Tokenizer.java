package io.rotquant.runtime.tokenizer;

import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face {@code tokenizer.json} BPE tokenizer. Immutable and thread-safe.
 *
 * <p>Encoding: split out added tokens, normalize each remaining piece, pre-tokenize, BPE each
 * word, then (optionally) add the post-processor's special tokens. Decoding: ids to token strings
 * (optionally without special tokens), then the decoder chain.
 */
public final class Tokenizer {
    private final BpeModel model;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Decoder decoder;
    /** Added tokens by content, matched in the raw text before normalization. */
    private final Map<String, Integer> addedTokens;
    private final Map<Integer, String> addedById;
    private final Set<Integer> specialIds;
    private final int[] prefixSpecials;
    private final int[] suffixSpecials;

    private Tokenizer(JsonObject json) {
        this.model = BpeModel.from(json.object("model"));
        this.normalizer = json.optObject("normalizer").map(Normalizer::from).orElse(null);
        this.preTokenizer = json.optObject("pre_tokenizer").map(PreTokenizer::from).orElse(PreTokenizer.NONE);
        this.decoder = json.optObject("decoder").map(Decoder::from).orElse(null);
        this.addedTokens = new HashMap<>();
        this.addedById = new HashMap<>();
        this.specialIds = new HashSet<>();
        if (json.has("added_tokens")) {
            for (Object o : json.array("added_tokens")) {
                JsonObject added = json.element("added_tokens", o);
                int id = (int) added.integer("id");
                String content = added.string("content");
                addedTokens.put(content, id);
                addedById.put(id, content);
                if (added.bool("special", false)) {
                    specialIds.add(id);
                }
            }
        }
        TemplatePostProcessor post = json.optObject("post_processor")
                .map(p -> TemplatePostProcessor.from(p, this::idOf))
                .orElse(TemplatePostProcessor.NONE);
        this.prefixSpecials = post.prefix();
        this.suffixSpecials = post.suffix();
    }

    /** Loads {@code tokenizer.json}; failures name the file and the component. */
    public static Tokenizer load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file + ": file not found");
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return fromBytes(file.toString(), bytes);
    }

    /** Parses the bytes of a {@code tokenizer.json}; {@code where} names the source in messages. */
    public static Tokenizer fromBytes(String where, byte[] bytes) {
        try {
            return new Tokenizer(JsonObject.parse(where, new String(bytes, StandardCharsets.UTF_8)));
        } catch (JsonException e) {
            throw new TokenizerException(e.getMessage());
        }
    }

    /** Encodes with the post-processor's special tokens (e.g. BOS), as the reference does by default. */
    public int[] encode(String text) {
        return encode(text, true);
    }

    public int[] encode(String text, boolean addSpecialTokens) {
        IntList ids = new IntList();
        if (addSpecialTokens) {
            ids.addAll(prefixSpecials);
        }
        int pieceStart = 0;
        int i = 0;
        while (i < text.length()) {
            String added = longestAddedTokenAt(text, i);
            if (added == null) {
                i++;
                continue;
            }
            encodePiece(text.substring(pieceStart, i), ids);
            ids.add(addedTokens.get(added));
            i += added.length();
            pieceStart = i;
        }
        encodePiece(text.substring(pieceStart), ids);
        if (addSpecialTokens) {
            ids.addAll(suffixSpecials);
        }
        return ids.toArray();
    }

    private String longestAddedTokenAt(String text, int at) {
        String best = null;
        for (String token : addedTokens.keySet()) {
            if (!token.isEmpty() && text.startsWith(token, at) && (best == null || token.length() > best.length())) {
                best = token;
            }
        }
        return best;
    }

    private void encodePiece(String piece, IntList ids) {
        if (piece.isEmpty()) {
            return;
        }
        String normalized = normalizer == null ? piece : normalizer.apply(piece);
        if (normalized.isEmpty()) {
            return;
        }
        for (String word : preTokenizer.split(normalized)) {
            ids.addAll(model.encodeWord(word));
        }
    }

    public String decode(int[] ids) {
        return decode(ids, true);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (skipSpecialTokens && specialIds.contains(id)) {
                continue;
            }
            String token = addedById.containsKey(id) ? addedById.get(id) : model.tokenOf(id);
            if (token != null) {
                tokens.add(token);
            }
        }
        if (decoder == null) {
            return String.join(" ", tokens);
        }
        return String.join("", decoder.decode(tokens));
    }

    /** The id of a token (vocabulary or added), or -1. */
    public int idOf(String token) {
        Integer id = addedTokens.get(token);
        if (id == null) {
            id = model.idOf(token);
        }
        return id == null ? -1 : id;
    }

    /** The number of ids this tokenizer can produce (vocabulary and added tokens). */
    public int vocabularySize() {
        int max = model.size();
        for (int id : addedById.keySet()) {
            max = Math.max(max, id + 1);
        }
        return max;
    }

    /** Growable int array, to avoid boxing on the encode path. */
    private static final class IntList {
        private int[] data = new int[64];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void addAll(int[] values) {
            for (int v : values) {
                add(v);
            }
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
