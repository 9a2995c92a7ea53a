package io.rotquant.runtime.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    @Test
    void writesWhatTheParserReadsBack() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ newline \n tab \t bell \u0007 é 😀");
        value.put("long", 1L << 40);
        value.put("double", 0.125);
        value.put("flag", true);
        value.put("none", null);
        value.put("list", List.of(1L, "two", List.of()));
        value.put("shape", new long[] {3, 4});
        String json = JsonWriter.write(value);
        Map<String, Object> back = Json.parseObject(json);
        assertThat(back).containsEntry("text", value.get("text")).containsEntry("long", 1L << 40)
                .containsEntry("double", 0.125).containsEntry("flag", true).containsEntry("none", null)
                .containsEntry("list", List.of(1L, "two", List.of())).containsEntry("shape", List.of(3L, 4L));
        assertThat(back.keySet()).containsExactlyElementsOf(value.keySet());
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        assertThat(JsonWriter.write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Float.NaN))).isEqualTo("[null,null,null]");
    }
}
