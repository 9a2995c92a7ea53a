package io.rotquant.runtime.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's chat template ({@code tokenizer_config.json}'s {@code chat_template}), parsed once
 * and rendered for each conversation as Hugging Face's {@code apply_chat_template} renders it:
 * {@code messages} (maps with {@code role} and {@code content}), {@code bos_token},
 * {@code eos_token}, {@code add_generation_prompt} and {@code raise_exception}. Immutable and
 * safe to share between threads.
 */
public final class ChatTemplate {
    private final List<Node> nodes;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(List<Node> nodes, String bosToken, String eosToken) {
        this.nodes = nodes;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /** Parses {@code source}; the special tokens are the strings the template may print. */
    public static ChatTemplate parse(String source, String bosToken, String eosToken) {
        return new ChatTemplate(TemplateParser.parse(source), bosToken == null ? "" : bosToken,
                eosToken == null ? "" : eosToken);
    }

    /** The prompt text of {@code messages}; with {@code addGenerationPrompt}, ending where the assistant's reply starts. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("messages", messages.stream().map(m -> {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.role());
            message.put("content", m.content());
            return (Object) message;
        }).toList());
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        context.put("add_generation_prompt", addGenerationPrompt);
        StringBuilder out = new StringBuilder();
        Node.renderAll(nodes, new Scope(context), out);
        return out.toString();
    }
}
