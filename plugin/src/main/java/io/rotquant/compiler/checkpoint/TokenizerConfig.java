package io.rotquant.compiler.checkpoint;

import io.rotquant.compiler.InvalidInputException;
import io.rotquant.runtime.chat.ChatFormat;
import io.rotquant.runtime.json.JsonException;
import io.rotquant.runtime.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's {@code tokenizer_config.json}, read for its chat setup: {@code chat_template} (a
 * string, or a list of named templates of which "default" or else the first is taken) and the
 * text of {@code bos_token} / {@code eos_token} (a string or an added-token object).
 */
public final class TokenizerConfig {
    public static final String FILE = "tokenizer_config.json";

    private TokenizerConfig() {
    }

    /** The chat format of the checkpoint in {@code directory}; empty without the file or a template. */
    public static Optional<ChatFormat> chat(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonObject json = JsonObject.parse(file.toString(), Files.readString(file));
            Object template = json.raw("chat_template");
            if (template instanceof List<?> named) {
                template = named(named);
            }
            if (!(template instanceof String text)) {
                return Optional.empty();
            }
            return Optional.of(new ChatFormat(text, token(json.raw("bos_token")), token(json.raw("eos_token"))));
        } catch (JsonException | ClassCastException e) {
            throw new InvalidInputException(file + ": not a tokenizer config (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The template named "default", else the first. */
    private static Object named(List<?> templates) {
        Object chosen = null;
        for (Object t : templates) {
            Map<?, ?> entry = (Map<?, ?>) t;
            if (chosen == null || "default".equals(entry.get("name"))) {
                chosen = entry.get("template");
            }
        }
        return chosen;
    }

    private static String token(Object value) {
        if (value instanceof Map<?, ?> added && added.get("content") instanceof String content) {
            return content;
        }
        return value instanceof String s ? s : "";
    }
}
