package io.rotquant.runtime.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Jinja expressions by precedence: {@code or}, {@code and}, {@code not}, comparisons
 * ({@code == != < <= > >= in, not in, is [not]}), {@code ~}, {@code + -}, {@code * / %}, unary
 * minus, then postfix filters, members, slices and calls on a primary (literal, name, list,
 * parenthesis). A filter binds to its primary, as in Jinja: {@code a + b | trim} trims b.
 */
final class ExpressionParser {
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final String SYMBOLS = "==!=<=>=+-*/%~|.,()[]:<>";

    private final List<String> tokens;
    private int at;

    private ExpressionParser(String source) {
        this.tokens = tokenize(source);
    }

    static Expr parse(String source) {
        ExpressionParser p = new ExpressionParser(source);
        Expr e = p.or();
        if (p.at < p.tokens.size()) {
            throw new TemplateException("unexpected '" + p.tokens.get(p.at) + "' in '" + source.strip() + "'");
        }
        return e;
    }

    /** Tokens: names and numbers as they are, strings with a leading quote (unescaped), symbols. */
    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                StringBuilder b = new StringBuilder("'");
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c) {
                    char d = s.charAt(j++);
                    if (d == '\\' && j < s.length()) {
                        char e = s.charAt(j++);
                        b.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
                    } else {
                        b.append(d);
                    }
                }
                if (j >= s.length()) {
                    throw new TemplateException("unclosed string in '" + s.strip() + "'");
                }
                out.add(b.toString());
                i = j + 1;
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            } else if (i + 1 < s.length() && SYMBOLS.contains(s.substring(i, i + 2)) && s.charAt(i + 1) == '=') {
                out.add(s.substring(i, i + 2));
                i += 2;
            } else if (SYMBOLS.indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                i++;
            } else {
                throw new TemplateException("unexpected '" + c + "' in '" + s.strip() + "'");
            }
        }
        return out;
    }

    private boolean peek(String token) {
        return at < tokens.size() && tokens.get(at).equals(token);
    }

    private boolean accept(String token) {
        if (peek(token)) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(String token) {
        if (!accept(token)) {
            throw new TemplateException("expected '" + token + "'" + (at < tokens.size() ? " before '" + tokens.get(at) + "'" : " at the end"));
        }
    }

    private String name() {
        if (at >= tokens.size() || !Character.isLetter(tokens.get(at).charAt(0)) && tokens.get(at).charAt(0) != '_') {
            throw new TemplateException("expected a name" + (at < tokens.size() ? " at '" + tokens.get(at) + "'" : ""));
        }
        return tokens.get(at++);
    }

    private Expr or() {
        return leftAssociative(this::and, Set.of("or"));
    }

    private Expr and() {
        return leftAssociative(this::not, Set.of("and"));
    }

    private Expr not() {
        return accept("not") ? new Expr.Not(not()) : comparison();
    }

    private Expr comparison() {
        Expr e = concat();
        while (true) {
            if (at < tokens.size() && COMPARISONS.contains(tokens.get(at))) {
                String op = tokens.get(at++);
                e = new Expr.Binary(op, e, concat());
            } else if (accept("in")) {
                e = new Expr.Binary("in", e, concat());
            } else if (peek("not") && at + 1 < tokens.size() && tokens.get(at + 1).equals("in")) {
                at += 2;
                e = new Expr.Binary("not in", e, concat());
            } else if (accept("is")) {
                boolean negated = accept("not");
                e = new Expr.Test(e, name(), negated);
            } else {
                return e;
            }
        }
    }

    private Expr concat() {
        return leftAssociative(this::additive, Set.of("~"));
    }

    private Expr additive() {
        return leftAssociative(this::multiplicative, Set.of("+", "-"));
    }

    private Expr multiplicative() {
        return leftAssociative(this::unary, Set.of("*", "/", "%"));
    }

    /** One left-associative level: operands from {@code operand} joined by any of {@code operators}. */
    private Expr leftAssociative(Supplier<Expr> operand, Set<String> operators) {
        Expr e = operand.get();
        while (at < tokens.size() && operators.contains(tokens.get(at))) {
            String op = tokens.get(at++);
            e = new Expr.Binary(op, e, operand.get());
        }
        return e;
    }

    private Expr unary() {
        return accept("-") ? new Expr.Negate(unary()) : postfix(primary());
    }

    private Expr postfix(Expr e) {
        while (true) {
            if (accept(".")) {
                String member = name();
                e = peek("(") ? new Expr.Call(e, member, arguments()) : new Expr.Member(e, new Expr.Literal(member));
            } else if (accept("[")) {
                Expr from = peek(":") ? null : or();
                if (accept(":")) {
                    Expr to = peek("]") ? null : or();
                    e = new Expr.Slice(e, from, to);
                } else {
                    e = new Expr.Member(e, from);
                }
                expect("]");
            } else if (accept("|")) {
                String filter = name();
                if (peek("(")) {
                    arguments();
                }
                e = new Expr.Filter(e, filter);
            } else {
                return e;
            }
        }
    }

    private List<Expr> arguments() {
        expect("(");
        return items(")");
    }

    /** Comma-separated expressions up to {@code close} (consumed). */
    private List<Expr> items(String close) {
        List<Expr> items = new ArrayList<>();
        while (!accept(close)) {
            items.add(or());
            if (!peek(close)) {
                expect(",");
            }
        }
        return items;
    }

    private Expr primary() {
        if (at >= tokens.size()) {
            throw new TemplateException("expression ends early");
        }
        String t = tokens.get(at);
        if (t.startsWith("'")) {
            at++;
            return new Expr.Literal(t.substring(1));
        }
        if (Character.isDigit(t.charAt(0))) {
            at++;
            return new Expr.Literal(Long.parseLong(t));
        }
        if (accept("(")) {
            Expr e = or();
            expect(")");
            return e;
        }
        if (accept("[")) {
            return new Expr.ListOf(items("]"));
        }
        String n = name();
        return switch (n) {
            case "true", "True" -> new Expr.Literal(Boolean.TRUE);
            case "false", "False" -> new Expr.Literal(Boolean.FALSE);
            case "none", "None" -> new Expr.Literal(null);
            default -> peek("(") ? new Expr.Call(null, n, arguments()) : new Expr.Name(n);
        };
    }
}
