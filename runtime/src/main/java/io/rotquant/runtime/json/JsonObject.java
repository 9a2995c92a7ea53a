package io.rotquant.runtime.json;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed, read-only access to a parsed JSON object. Every failure names the member that is missing
 * or has the wrong type, prefixed by {@code where} (typically a file name), so callers can turn it
 * into one clear line for the user.
 */
public record JsonObject(String where, Map<String, Object> members) {

    public static JsonObject parse(String where, String text) {
        try {
            return new JsonObject(where, Json.parseObject(text));
        } catch (JsonException e) {
            throw new JsonException(where + ": " + e.getMessage());
        }
    }

    public boolean has(String key) {
        return members.containsKey(key) && members.get(key) != null;
    }

    public Object raw(String key) {
        return members.get(key);
    }

    public String string(String key) {
        return require(key, String.class, "a string");
    }

    public Optional<String> optString(String key) {
        return has(key) ? Optional.of(string(key)) : Optional.empty();
    }

    public long integer(String key) {
        Object value = members.get(key);
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return d.longValue();
        }
        throw wrongType(key, "an integer");
    }

    public Optional<Long> optInteger(String key) {
        return has(key) ? Optional.of(integer(key)) : Optional.empty();
    }

    public double number(String key) {
        return require(key, Number.class, "a number").doubleValue();
    }

    public Optional<Double> optNumber(String key) {
        return has(key) ? Optional.of(number(key)) : Optional.empty();
    }

    public boolean bool(String key, boolean fallback) {
        return has(key) ? require(key, Boolean.class, "true or false") : fallback;
    }

    @SuppressWarnings("unchecked")
    public JsonObject object(String key) {
        return new JsonObject(where + " " + key, require(key, Map.class, "an object"));
    }

    public Optional<JsonObject> optObject(String key) {
        return has(key) ? Optional.of(object(key)) : Optional.empty();
    }

    @SuppressWarnings("unchecked")
    public List<Object> array(String key) {
        return require(key, List.class, "an array");
    }

    /** Wraps a nested object that came out of an array of this object. */
    @SuppressWarnings("unchecked")
    public JsonObject element(String key, Object value) {
        if (!(value instanceof Map)) {
            throw new JsonException(where + ": elements of '" + key + "' must be objects");
        }
        return new JsonObject(where + " " + key, (Map<String, Object>) value);
    }

    private <T> T require(String key, Class<T> type, String expected) {
        Object value = members.get(key);
        if (value == null) {
            throw new JsonException(where + ": missing field '" + key + "'");
        }
        if (!type.isInstance(value)) {
            throw wrongType(key, expected);
        }
        return type.cast(value);
    }

    private JsonException wrongType(String key, String expected) {
        if (!members.containsKey(key) || members.get(key) == null) {
            return new JsonException(where + ": missing field '" + key + "'");
        }
        return new JsonException(where + ": field '" + key + "' must be " + expected + ", got " + members.get(key));
    }
}
