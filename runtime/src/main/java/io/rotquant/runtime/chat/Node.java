package io.rotquant.runtime.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A template statement, rendered into a builder. */
sealed interface Node {
    void render(Scope scope, StringBuilder out);

    static void renderAll(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node n : nodes) {
            n.render(scope, out);
        }
    }

    record Text(String text) implements Node {
        public void render(Scope scope, StringBuilder out) {
            out.append(text);
        }
    }

    record Output(Expr value) implements Node {
        public void render(Scope scope, StringBuilder out) {
            out.append(Values.text(value.eval(scope)));
        }
    }

    record Set(String name, Expr value) implements Node {
        public void render(Scope scope, StringBuilder out) {
            scope.set(name, value.eval(scope));
        }
    }

    /** {@code if}/{@code elif} branches in order, then {@code otherwise} (the else branch, maybe empty). */
    record If(List<Expr> conditions, List<List<Node>> branches, List<Node> otherwise) implements Node {
        public void render(Scope scope, StringBuilder out) {
            for (int i = 0; i < conditions.size(); i++) {
                if (Values.truthy(conditions.get(i).eval(scope))) {
                    renderAll(branches.get(i), scope, out);
                    return;
                }
            }
            renderAll(otherwise, scope, out);
        }
    }

    /** {@code for name in items}, with Jinja's {@code loop} variable; {@code otherwise} when there are no items. */
    record For(String name, Expr items, List<Node> body, List<Node> otherwise) implements Node {
        public void render(Scope scope, StringBuilder out) {
            Object value = items.eval(scope);
            List<?> list = value instanceof List<?> l ? l
                    : value instanceof Map<?, ?> m ? List.copyOf(m.keySet())
                    : value == Values.UNDEFINED || value == null ? List.of()
                    : failNotIterable(value);
            if (list.isEmpty()) {
                renderAll(otherwise, scope, out);
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                scope.push();
                Map<String, Object> loop = new LinkedHashMap<>();
                loop.put("index0", (long) i);
                loop.put("index", (long) i + 1);
                loop.put("first", i == 0);
                loop.put("last", i == list.size() - 1);
                loop.put("length", (long) list.size());
                scope.set("loop", loop);
                scope.set(name, list.get(i));
                renderAll(body, scope, out);
                scope.pop();
            }
        }

        private static List<?> failNotIterable(Object value) {
            throw new TemplateException("cannot loop over '" + Values.text(value) + "'");
        }
    }
}
