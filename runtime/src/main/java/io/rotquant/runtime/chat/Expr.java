package io.rotquant.runtime.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A template expression, evaluated against a scope. */
sealed interface Expr {
    Object eval(Scope scope);

    record Literal(Object value) implements Expr {
        public Object eval(Scope scope) {
            return value;
        }
    }

    record Name(String name) implements Expr {
        public Object eval(Scope scope) {
            return scope.get(name);
        }
    }

    record ListOf(List<Expr> items) implements Expr {
        public Object eval(Scope scope) {
            return items.stream().map(e -> e.eval(scope)).toList();
        }
    }

    /** {@code a.b} and {@code a[b]}: a map's member, a list's or string's element (negative from the end). */
    record Member(Expr target, Expr key) implements Expr {
        public Object eval(Scope scope) {
            Object t = target.eval(scope);
            Object k = key.eval(scope);
            if (t instanceof Map<?, ?> m) {
                return m.containsKey(k) ? m.get(k) : Values.UNDEFINED;
            }
            if (k instanceof Long i && (t instanceof List<?> || t instanceof String)) {
                int n = Values.length(t);
                int at = (int) (i < 0 ? n + i : i);
                if (at < 0 || at >= n) {
                    return Values.UNDEFINED;
                }
                return t instanceof List<?> l ? l.get(at) : String.valueOf(((String) t).charAt(at));
            }
            return Values.UNDEFINED;
        }
    }

    /** {@code a[from:to]} on a list or string. */
    record Slice(Expr target, Expr from, Expr to) implements Expr {
        public Object eval(Scope scope) {
            Object t = target.eval(scope);
            int n = Values.length(t);
            int a = bound(from, scope, 0, n);
            int b = Math.max(a, bound(to, scope, n, n));
            return t instanceof String s ? s.substring(a, b) : ((List<?>) t).subList(a, b);
        }

        private static int bound(Expr e, Scope scope, int absent, int n) {
            if (e == null) {
                return absent;
            }
            long i = Values.number(e.eval(scope));
            return (int) Math.max(0, Math.min(n, i < 0 ? n + i : i));
        }
    }

    record Not(Expr operand) implements Expr {
        public Object eval(Scope scope) {
            return !Values.truthy(operand.eval(scope));
        }
    }

    record Negate(Expr operand) implements Expr {
        public Object eval(Scope scope) {
            return -Values.number(operand.eval(scope));
        }
    }

    record Binary(String op, Expr left, Expr right) implements Expr {
        public Object eval(Scope scope) {
            Object a = left.eval(scope);
            switch (op) {
                case "and":
                    return Values.truthy(a) ? right.eval(scope) : a;
                case "or":
                    return Values.truthy(a) ? a : right.eval(scope);
                default:
                    break;
            }
            Object b = right.eval(scope);
            return switch (op) {
                case "~" -> Values.text(a) + Values.text(b);
                case "+" -> a instanceof String || b instanceof String ? concat(a, b)
                        : a instanceof List<?> x && b instanceof List<?> y ? join(x, y)
                        : Values.number(a) + Values.number(b);
                case "-" -> Values.number(a) - Values.number(b);
                case "*" -> Values.number(a) * Values.number(b);
                case "%" -> Math.floorMod(Values.number(a), Values.number(b));
                case "/" -> Values.number(a) / Values.number(b);
                case "==" -> Values.equal(a, b);
                case "!=" -> !Values.equal(a, b);
                case "<" -> Values.compare(a, b) < 0;
                case "<=" -> Values.compare(a, b) <= 0;
                case ">" -> Values.compare(a, b) > 0;
                case ">=" -> Values.compare(a, b) >= 0;
                case "in" -> contains(b, a);
                case "not in" -> !contains(b, a);
                default -> throw new TemplateException("unknown operator " + op);
            };
        }

        private static String concat(Object a, Object b) {
            if (!(a instanceof String) || !(b instanceof String)) {
                throw new TemplateException("cannot add '" + Values.text(a) + "' and '" + Values.text(b) + "'");
            }
            return (String) a + b;
        }

        private static List<Object> join(List<?> a, List<?> b) {
            List<Object> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }

        private static boolean contains(Object container, Object item) {
            if (container instanceof String s) {
                return item instanceof String t && s.contains(t);
            }
            if (container instanceof List<?> l) {
                return l.contains(item);
            }
            if (container instanceof Map<?, ?> m) {
                return m.containsKey(item);
            }
            return false;
        }
    }

    /** {@code x is [not] test}: defined, undefined, none, string, number, true, false. */
    record Test(Expr operand, String test, boolean negated) implements Expr {
        public Object eval(Scope scope) {
            Object v = operand.eval(scope);
            boolean result = switch (test) {
                case "defined" -> v != Values.UNDEFINED;
                case "undefined" -> v == Values.UNDEFINED;
                case "none" -> v == null;
                case "string" -> v instanceof String;
                case "number" -> v instanceof Long;
                case "true" -> Boolean.TRUE.equals(v);
                case "false" -> Boolean.FALSE.equals(v);
                default -> throw new TemplateException("unknown test '" + test + "'");
            };
            return result != negated;
        }
    }

    /** {@code x | name}: trim, length, lower, upper, string. */
    record Filter(Expr operand, String name) implements Expr {
        public Object eval(Scope scope) {
            Object v = operand.eval(scope);
            return switch (name) {
                case "trim" -> Values.text(v).strip();
                case "length", "count" -> (long) Values.length(v);
                case "lower" -> Values.text(v).toLowerCase(Locale.ROOT);
                case "upper" -> Values.text(v).toUpperCase(Locale.ROOT);
                case "string" -> Values.text(v);
                default -> throw new TemplateException("unknown filter '" + name + "'");
            };
        }
    }

    /** {@code raise_exception(message)} and a string's {@code strip}, {@code startswith}, ... methods. */
    record Call(Expr target, String method, List<Expr> args) implements Expr {
        public Object eval(Scope scope) {
            List<Object> a = args.stream().map(e -> e.eval(scope)).toList();
            if (target == null) {
                if (method.equals("raise_exception")) {
                    throw new TemplateException(a.isEmpty() ? "the template raised an exception" : Values.text(a.get(0)));
                }
                throw new TemplateException("unknown function '" + method + "'");
            }
            Object t = target.eval(scope);
            if (!(t instanceof String s)) {
                throw new TemplateException("'" + method + "' needs a string, got " + Values.text(t));
            }
            return switch (method) {
                case "strip" -> s.strip();
                case "lstrip" -> s.stripLeading();
                case "rstrip" -> s.stripTrailing();
                case "lower" -> s.toLowerCase(Locale.ROOT);
                case "upper" -> s.toUpperCase(Locale.ROOT);
                case "startswith" -> s.startsWith(Values.text(a.get(0)));
                case "endswith" -> s.endsWith(Values.text(a.get(0)));
                default -> throw new TemplateException("unknown string method '" + method + "'");
            };
        }
    }
}
