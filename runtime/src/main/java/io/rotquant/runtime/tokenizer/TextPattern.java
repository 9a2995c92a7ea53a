package io.rotquant.runtime.tokenizer;

import io.rotquant.runtime.json.JsonObject;
import java.util.regex.Pattern;

/**
 * The {@code {"String": ...}} or {@code {"Regex": ...}} pattern of a Replace or Split component,
 * compiled with Unicode character classes so that {@code \s} means Unicode white space as in the
 * reference implementation.
 */
final class TextPattern {
    private TextPattern() {
    }

    static Pattern compile(JsonObject spec) {
        JsonObject pattern = spec.object("pattern");
        if (pattern.has("String")) {
            return Pattern.compile(Pattern.quote(pattern.string("String")));
        }
        if (pattern.has("Regex")) {
            return Pattern.compile(pattern.string("Regex"), Pattern.UNICODE_CHARACTER_CLASS);
        }
        throw new TokenizerException(pattern.where() + ": pattern needs 'String' or 'Regex'");
    }
}
