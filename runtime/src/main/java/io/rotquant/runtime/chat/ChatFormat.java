package io.rotquant.runtime.chat;

import io.rotquant.runtime.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an artifact keeps of a checkpoint's chat setup (metadata {@code chat}): the template and
 * the text of its BOS and EOS tokens, as {@code tokenizer_config.json} gives them.
 */
public record ChatFormat(String template, String bosToken, String eosToken) {
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("template", template);
        m.put("bos_token", bosToken);
        m.put("eos_token", eosToken);
        return m;
    }

    public static ChatFormat fromJson(JsonObject json) {
        return new ChatFormat(json.string("template"), json.optString("bos_token").orElse(""),
                json.optString("eos_token").orElse(""));
    }

    /** The parsed template (fails on a template this engine cannot read). */
    public ChatTemplate parse() {
        return ChatTemplate.parse(template, bosToken, eosToken);
    }
}
