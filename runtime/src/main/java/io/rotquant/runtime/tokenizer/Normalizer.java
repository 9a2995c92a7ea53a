package io.rotquant.runtime.tokenizer;

import io.rotquant.runtime.json.JsonObject;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code normalizer} stage: rewrites each piece of input text before pre-tokenization. */
interface Normalizer extends UnaryOperator<String> {

    static Normalizer from(JsonObject spec) {
        String type = spec.string("type");
        return switch (type) {
            case "Sequence" -> {
                List<Normalizer> steps = spec.array("normalizers").stream()
                        .map(n -> from(spec.element("normalizers", n))).toList();
                yield text -> {
                    String out = text;
                    for (Normalizer step : steps) {
                        out = step.apply(out);
                    }
                    return out;
                };
            }
            case "Prepend" -> {
                String prefix = spec.string("prepend");
                yield text -> text.isEmpty() ? text : prefix + text;
            }
            case "Replace" -> {
                Pattern pattern = TextPattern.compile(spec);
                String content = Matcher.quoteReplacement(spec.string("content"));
                yield text -> pattern.matcher(text).replaceAll(content);
            }
            case "NFC" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
            case "NFKC" -> text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC);
            default -> throw new TokenizerException(spec.where() + ": unsupported normalizer type '" + type + "'");
        };
    }
}
