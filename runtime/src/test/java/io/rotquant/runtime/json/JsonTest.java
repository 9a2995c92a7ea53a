package io.rotquant.runtime.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryValueKind() {
        Object value = Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\u00e9\\n\\\"\", \"o\": {}} ");
        assertThat(value).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, -2500.0, true, false, null),
                "s", "xé\n\"", "o", Map.of()));
    }

    @Test
    void bigIntegersBecomeDoubles() {
        assertThat(Json.parse("123456789012345678901234")).isEqualTo(1.2345678901234568e23);
        assertThat(Json.parse("[9223372036854775807]")).isEqualTo(List.of(Long.MAX_VALUE));
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1} x", "\"\\q\"", "tru", "01x", "\"a\u0001\""}) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(JsonException.class);
        }
        assertThatThrownBy(() -> Json.parse("[".repeat(600) + "]".repeat(600))).hasMessageContaining("nesting");
    }

    @Test
    void typedAccessNamesTheFileAndField() {
        JsonObject o = JsonObject.parse("config.json", "{\"n\": \"seven\", \"x\": 2.0}");
        assertThat(o.integer("x")).isEqualTo(2);
        assertThatThrownBy(() -> o.integer("n")).hasMessage("config.json: field 'n' must be an integer, got seven");
        assertThatThrownBy(() -> o.string("missing")).hasMessage("config.json: missing field 'missing'");
        assertThatThrownBy(() -> JsonObject.parse("f.json", "[1]")).hasMessage("f.json: top-level value is not a JSON object");
    }
}
