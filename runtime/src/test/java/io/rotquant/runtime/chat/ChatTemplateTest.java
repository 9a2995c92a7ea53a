package io.rotquant.runtime.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rotquant.runtime.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every case of renderings.json (Jinja2's own output for templates.json's templates, made by
 * render_with_jinja2.py beside them) rendered by the runtime's engine: the same text, or the same
 * raise_exception message.
 */
class ChatTemplateTest {
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat/" + name)) {
            return (List<Map<String, Object>>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void rendersEveryConversationAsJinja2Does() throws IOException {
        List<Map<String, Object>> templates = resource("templates.json");
        List<Map<String, Object>> renderings = resource("renderings.json");
        assertThat(renderings).hasSameSizeAs(templates);
        int checked = 0;
        for (int t = 0; t < templates.size(); t++) {
            Map<String, Object> spec = templates.get(t);
            ChatTemplate template = ChatTemplate.parse((String) spec.get("template"), (String) spec.get("bos_token"),
                    (String) spec.get("eos_token"));
            for (Object c : (List<Object>) renderings.get(t).get("cases")) {
                Map<String, Object> kase = (Map<String, Object>) c;
                List<ChatMessage> messages = ((List<Object>) kase.get("messages")).stream()
                        .map(m -> (Map<String, Object>) m)
                        .map(m -> new ChatMessage((String) m.get("role"), (String) m.get("content"))).toList();
                boolean prompt = (Boolean) kase.get("add_generation_prompt");
                String what = spec.get("name") + " " + messages + " prompt=" + prompt;
                if (kase.containsKey("error")) {
                    assertThatThrownBy(() -> template.render(messages, prompt)).as(what)
                            .isInstanceOf(TemplateException.class).hasMessage((String) kase.get("error"));
                } else {
                    assertThat(template.render(messages, prompt)).as(what).isEqualTo(kase.get("expected"));
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(60);
    }

    @Test
    void badTemplatesFailWhenParsed() {
        assertThatThrownBy(() -> ChatTemplate.parse("{% for m in messages %}{{ m }}", "", ""))
                .isInstanceOf(TemplateException.class).hasMessageContaining("endfor");
        assertThatThrownBy(() -> ChatTemplate.parse("{% macro x() %}{% endmacro %}", "", ""))
                .isInstanceOf(TemplateException.class).hasMessage("unsupported tag {% macro %}");
        assertThatThrownBy(() -> ChatTemplate.parse("{{ 'open }}", "", "")).isInstanceOf(TemplateException.class);
    }
}
