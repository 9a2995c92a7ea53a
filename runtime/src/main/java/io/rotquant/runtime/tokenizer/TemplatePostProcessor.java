package io.rotquant.runtime.tokenizer;

import io.rotquant.runtime.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The single-sequence part of a {@code TemplateProcessing} post-processor: the special tokens
 * placed before and after the encoded text. A {@code ByteLevel} post-processor only adjusts
 * offsets, so it adds nothing here.
 */
record TemplatePostProcessor(int[] prefix, int[] suffix) {
    static final TemplatePostProcessor NONE = new TemplatePostProcessor(new int[0], new int[0]);

    static TemplatePostProcessor from(JsonObject spec, ToIntFunction<String> idOf) {
        String type = spec.string("type");
        switch (type) {
            case "ByteLevel":
                return NONE;
            case "Sequence": {
                List<int[]> prefixes = new ArrayList<>();
                List<int[]> suffixes = new ArrayList<>();
                for (Object p : spec.array("processors")) {
                    TemplatePostProcessor one = from(spec.element("processors", p), idOf);
                    prefixes.add(one.prefix);
                    suffixes.add(one.suffix);
                }
                return new TemplatePostProcessor(concat(prefixes), concat(suffixes));
            }
            case "TemplateProcessing":
                break;
            default:
                throw new TokenizerException(spec.where() + ": unsupported post_processor type '" + type + "'");
        }
        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        boolean seenSequence = false;
        for (Object item : spec.array("single")) {
            JsonObject piece = spec.element("single", item);
            if (piece.has("Sequence")) {
                seenSequence = true;
            } else if (piece.has("SpecialToken")) {
                String token = piece.object("SpecialToken").string("id");
                (seenSequence ? after : before).addAll(specialIds(spec, token, idOf));
            }
        }
        return new TemplatePostProcessor(toArray(before), toArray(after));
    }

    /** The ids behind a template's special token: its {@code special_tokens} entry, else the vocabulary. */
    private static List<Integer> specialIds(JsonObject spec, String token, ToIntFunction<String> idOf) {
        if (spec.has("special_tokens") && spec.object("special_tokens").has(token)) {
            JsonObject entry = spec.object("special_tokens").object(token);
            List<Integer> ids = new ArrayList<>();
            for (Object id : entry.array("ids")) {
                if (!(id instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                    throw new TokenizerException(entry.where() + ": bad id " + id);
                }
                ids.add(l.intValue());
            }
            return ids;
        }
        int id = idOf.applyAsInt(token);
        if (id < 0) {
            throw new TokenizerException(spec.where() + ": special token '" + token + "' has no id");
        }
        return List.of(id);
    }

    private static int[] toArray(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] concat(List<int[]> parts) {
        return parts.stream().flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
