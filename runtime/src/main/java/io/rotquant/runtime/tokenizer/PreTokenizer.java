package io.rotquant.runtime.tokenizer;

import io.rotquant.runtime.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code pre_tokenizer} stage: splits a normalized piece into the words BPE sees. */
interface PreTokenizer {
    /** GPT-2's word-splitting expression, used by ByteLevel when {@code use_regex} is true. */
    Pattern GPT2_WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    List<String> split(String piece);

    /** Identity: the whole piece is one word. */
    PreTokenizer NONE = List::of;

    static PreTokenizer from(JsonObject spec) {
        String type = spec.string("type");
        return switch (type) {
            case "Sequence" -> {
                List<PreTokenizer> steps = spec.array("pretokenizers").stream()
                        .map(p -> from(spec.element("pretokenizers", p))).toList();
                yield piece -> {
                    List<String> pieces = List.of(piece);
                    for (PreTokenizer step : steps) {
                        List<String> next = new ArrayList<>();
                        for (String p : pieces) {
                            next.addAll(step.split(p));
                        }
                        pieces = next;
                    }
                    return pieces;
                };
            }
            case "ByteLevel" -> {
                boolean prefixSpace = spec.bool("add_prefix_space", true);
                boolean useRegex = spec.bool("use_regex", true);
                yield piece -> {
                    String text = prefixSpace && !piece.startsWith(" ") ? " " + piece : piece;
                    List<String> words = useRegex ? isolate(GPT2_WORDS, text) : List.of(text);
                    return words.stream().map(ByteLevelAlphabet::encode).toList();
                };
            }
            case "Split" -> {
                if (spec.bool("invert", false)) {
                    throw new TokenizerException(spec.where() + ": Split with invert=true is not supported");
                }
                Pattern pattern = TextPattern.compile(spec);
                String behavior = spec.string("behavior");
                yield switch (behavior) {
                    case "Isolated" -> piece -> isolate(pattern, piece);
                    case "Removed" -> piece -> remove(pattern, piece);
                    default -> throw new TokenizerException(
                            spec.where() + ": unsupported Split behavior '" + behavior + "'");
                };
            }
            case "Digits" -> {
                Pattern digits = Pattern.compile(spec.bool("individual_digits", false) ? "\\p{Nd}" : "\\p{Nd}+");
                yield piece -> isolate(digits, piece);
            }
            default -> throw new TokenizerException(spec.where() + ": unsupported pre_tokenizer type '" + type + "'");
        };
    }

    /** Every match and every non-empty gap between matches becomes a piece, in order. */
    static List<String> isolate(Pattern pattern, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() == m.end()) {
                continue;
            }
            if (m.start() > last) {
                out.add(text.substring(last, m.start()));
            }
            out.add(m.group());
            last = m.end();
        }
        if (last < text.length()) {
            out.add(text.substring(last));
        }
        return out;
    }

    /** The non-empty gaps between matches; matches are dropped. */
    static List<String> remove(Pattern pattern, String text) {
        List<String> out = new ArrayList<>();
        for (String part : pattern.split(text, -1)) {
            if (!part.isEmpty()) {
                out.add(part);
            }
        }
        return out;
    }
}
