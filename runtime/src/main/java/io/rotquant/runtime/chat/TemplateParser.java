package io.rotquant.runtime.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses a chat template: text, {@code {{ expression }}}, {@code {% if/elif/else/for/set %}} and
 * comments, with Jinja's whitespace control ({@code -} on a tag) and the two rules Hugging Face
 * turns on for chat templates: a block tag's own line break is dropped (trim_blocks) and the
 * spaces before a block tag on its line are too (lstrip_blocks).
 */
final class TemplateParser {
    private enum Kind { TEXT, OUTPUT, STATEMENT }

    private record Segment(Kind kind, String content) {
    }

    private final List<Segment> segments = new ArrayList<>();
    private int next;

    private TemplateParser(String source) {
        lex(source);
    }

    static List<Node> parse(String source) {
        TemplateParser parser = new TemplateParser(source);
        List<Node> nodes = parser.block(Set.of());
        if (parser.next < parser.segments.size()) {
            throw new TemplateException("unexpected {% " + parser.segments.get(parser.next).content() + " %}");
        }
        return nodes;
    }

    private void lex(String s) {
        StringBuilder text = new StringBuilder();
        int i = 0;
        boolean stripNext = false;
        while (i < s.length()) {
            int open = nextTag(s, i);
            String before = s.substring(i, open < 0 ? s.length() : open);
            if (stripNext) {
                before = before.stripLeading();
            }
            text.append(before);
            if (open < 0) {
                break;
            }
            char type = s.charAt(open + 1);
            String close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
            int end = s.indexOf(close, open + 2);
            if (end < 0) {
                throw new TemplateException("unclosed tag at character " + open);
            }
            int from = open + 2;
            int to = end;
            boolean block = type != '{';
            if (from < to && s.charAt(from) == '-') {
                strip(text);
                from++;
            } else if (from < to && s.charAt(from) == '+') {
                from++;
            } else if (block) {
                lstrip(text);
            }
            stripNext = to > from && s.charAt(to - 1) == '-';
            if (stripNext) {
                to--;
            }
            if (!text.isEmpty()) {
                segments.add(new Segment(Kind.TEXT, text.toString()));
                text.setLength(0);
            }
            if (type != '#') {
                segments.add(new Segment(type == '{' ? Kind.OUTPUT : Kind.STATEMENT, s.substring(from, to).strip()));
            }
            i = end + 2;
            if (block && !stripNext && i < s.length() && s.charAt(i) == '\n') {
                i++;
            }
        }
        if (!text.isEmpty()) {
            segments.add(new Segment(Kind.TEXT, text.toString()));
        }
    }

    private static int nextTag(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private static void strip(StringBuilder text) {
        int n = text.length();
        while (n > 0 && Character.isWhitespace(text.charAt(n - 1))) {
            n--;
        }
        text.setLength(n);
    }

    /** Drops spaces and tabs between the last line break (or the start) and a block tag. */
    private static void lstrip(StringBuilder text) {
        int n = text.length();
        while (n > 0 && (text.charAt(n - 1) == ' ' || text.charAt(n - 1) == '\t')) {
            n--;
        }
        if (n == 0 || text.charAt(n - 1) == '\n') {
            text.setLength(n);
        }
    }

    /** Nodes up to a statement whose keyword is in {@code ends} (left unconsumed), or the end. */
    private List<Node> block(Set<String> ends) {
        List<Node> nodes = new ArrayList<>();
        while (next < segments.size()) {
            Segment seg = segments.get(next);
            switch (seg.kind()) {
                case TEXT -> {
                    nodes.add(new Node.Text(seg.content()));
                    next++;
                }
                case OUTPUT -> {
                    nodes.add(new Node.Output(ExpressionParser.parse(seg.content())));
                    next++;
                }
                case STATEMENT -> {
                    String keyword = keyword(seg.content());
                    if (ends.contains(keyword)) {
                        return nodes;
                    }
                    next++;
                    nodes.add(statement(keyword, seg.content().substring(keyword.length()).strip()));
                }
            }
        }
        if (!ends.isEmpty()) {
            throw new TemplateException("missing {% " + String.join(" or ", ends) + " %}");
        }
        return nodes;
    }

    private Node statement(String keyword, String rest) {
        switch (keyword) {
            case "set": {
                int eq = rest.indexOf('=');
                if (eq <= 0) {
                    throw new TemplateException("{% set " + rest + " %}: expected NAME = expression");
                }
                return new Node.Set(rest.substring(0, eq).strip(), ExpressionParser.parse(rest.substring(eq + 1)));
            }
            case "if": {
                List<Expr> conditions = new ArrayList<>(List.of(ExpressionParser.parse(rest)));
                List<List<Node>> branches = new ArrayList<>();
                List<Node> otherwise = List.of();
                Set<String> ends = Set.of("elif", "else", "endif");
                branches.add(block(ends));
                while (true) {
                    Segment end = segments.get(next++);
                    String k = keyword(end.content());
                    if (k.equals("elif")) {
                        conditions.add(ExpressionParser.parse(end.content().substring(4)));
                        branches.add(block(ends));
                    } else if (k.equals("else")) {
                        otherwise = block(Set.of("endif"));
                        next++;
                        break;
                    } else {
                        break;
                    }
                }
                return new Node.If(conditions, branches, otherwise);
            }
            case "for": {
                int in = rest.indexOf(" in ");
                if (in <= 0) {
                    throw new TemplateException("{% for " + rest + " %}: expected NAME in expression");
                }
                List<Node> body = block(Set.of("else", "endfor"));
                List<Node> otherwise = List.of();
                if (keyword(segments.get(next++).content()).equals("else")) {
                    otherwise = block(Set.of("endfor"));
                    next++;
                }
                return new Node.For(rest.substring(0, in).strip(), ExpressionParser.parse(rest.substring(in + 4)), body,
                        otherwise);
            }
            default:
                throw new TemplateException("unsupported tag {% " + keyword + " %}");
        }
    }

    private static String keyword(String content) {
        int space = 0;
        while (space < content.length() && Character.isLetter(content.charAt(space))) {
            space++;
        }
        return content.substring(0, space);
    }
}
