package io.rotquant.runtime.chat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Names visible while rendering: the context, then one frame per enclosing for loop (sets stay in their loop). */
final class Scope {
    private final Deque<Map<String, Object>> frames = new ArrayDeque<>();

    Scope(Map<String, Object> context) {
        frames.push(new HashMap<>(context));
    }

    Object get(String name) {
        for (Map<String, Object> frame : frames) {
            if (frame.containsKey(name)) {
                return frame.get(name);
            }
        }
        return Values.UNDEFINED;
    }

    void set(String name, Object value) {
        frames.peek().put(name, value);
    }

    void push() {
        frames.push(new HashMap<>());
    }

    void pop() {
        frames.pop();
    }
}
