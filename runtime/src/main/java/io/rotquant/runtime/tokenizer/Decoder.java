package io.rotquant.runtime.tokenizer;

import io.rotquant.runtime.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code decoder} stage: turns the token strings of an id sequence back into text. */
interface Decoder {
    List<String> decode(List<String> tokens);

    static Decoder from(JsonObject spec) {
        String type = spec.string("type");
        return switch (type) {
            case "Sequence" -> {
                List<Decoder> steps = spec.array("decoders").stream()
                        .map(d -> from(spec.element("decoders", d))).toList();
                yield tokens -> {
                    List<String> out = tokens;
                    for (Decoder step : steps) {
                        out = step.decode(out);
                    }
                    return out;
                };
            }
            case "Replace" -> {
                Pattern pattern = TextPattern.compile(spec);
                String content = Matcher.quoteReplacement(spec.string("content"));
                yield tokens -> tokens.stream().map(t -> pattern.matcher(t).replaceAll(content)).toList();
            }
            case "ByteFallback" -> Decoder::byteFallback;
            case "Fuse" -> tokens -> List.of(String.join("", tokens));
            case "Strip" -> {
                String content = spec.string("content");
                if (content.codePointCount(0, content.length()) != 1) {
                    throw new TokenizerException(spec.where() + ": Strip content must be one character");
                }
                int start = (int) spec.integer("start");
                int stop = (int) spec.integer("stop");
                yield tokens -> tokens.stream().map(t -> strip(t, content, start, stop)).toList();
            }
            case "ByteLevel" -> Decoder::byteLevel;
            default -> throw new TokenizerException(spec.where() + ": unsupported decoder type '" + type + "'");
        };
    }

    /** Runs of {@code <0xXX>} tokens become their UTF-8 text, or one U+FFFD per byte if invalid. */
    private static List<String> byteFallback(List<String> tokens) {
        List<String> out = new ArrayList<>();
        byte[] pending = new byte[16];
        int count = 0;
        for (String token : tokens) {
            int b = byteToken(token);
            if (b >= 0) {
                if (count == pending.length) {
                    pending = java.util.Arrays.copyOf(pending, count * 2);
                }
                pending[count++] = (byte) b;
                continue;
            }
            if (count > 0) {
                flushBytes(out, pending, count);
                count = 0;
            }
            out.add(token);
        }
        if (count > 0) {
            flushBytes(out, pending, count);
        }
        return out;
    }

    private static void flushBytes(List<String> out, byte[] bytes, int count) {
        Utf8.strict(bytes, count).ifPresentOrElse(out::add, () -> {
            for (int i = 0; i < count; i++) {
                out.add("\uFFFD");
            }
        });
    }

    private static int byteToken(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') {
            return -1;
        }
        try {
            return Integer.parseInt(token.substring(3, 5), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String strip(String token, String content, int start, int stop) {
        int from = 0;
        int to = token.length();
        for (int i = 0; i < start && token.startsWith(content, from); i++) {
            from += content.length();
        }
        for (int i = 0; i < stop && to - content.length() >= from && token.startsWith(content, to - content.length()); i++) {
            to -= content.length();
        }
        return token.substring(from, to);
    }

    /** Maps alphabet symbols back to bytes (tokens outside the alphabet keep their own UTF-8). */
    private static List<String> byteLevel(List<String> tokens) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (String token : tokens) {
            byte[] mapped = new byte[token.length()];
            boolean inAlphabet = true;
            for (int i = 0; i < token.length() && inAlphabet; i++) {
                int b = ByteLevelAlphabet.byteOf(token.charAt(i));
                inAlphabet = b >= 0;
                mapped[i] = (byte) b;
            }
            byte[] raw = inAlphabet ? mapped : token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            bytes.write(raw, 0, raw.length);
        }
        byte[] all = bytes.toByteArray();
        return List.of(Utf8.lossy(all, all.length));
    }
}
