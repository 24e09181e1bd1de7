package io.tuneloop.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps}, byte for byte: {@code ", "} and {@code ": "} separators by default
 * ({@code ","} with an indent), floats as Python's repr, NaN and Infinity allowed, keys converted
 * as Python converts them. {@code htmlSafe} adds jinja2's escaping of {@code < > & '}.
 */
public final class Json {
    /** Indents, widths and precisions beyond this are refused (each would be repeated at every level or value). */
    static final int MAX_INDENT = 1 << 16;
    private final boolean ensureAscii;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean htmlSafe;

    private Json(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys,
                 boolean htmlSafe) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
        this.htmlSafe = htmlSafe;
    }

    /**
     * json.dumps(value, ensure_ascii, indent, separators, sort_keys) with Python's argument rules:
     * {@code indent} is None, an int (spaces) or a str; {@code separators} None or a pair.
     */
    public static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        return dumps(value, ensureAscii, indent, separators, sortKeys, false);
    }

    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys,
                        boolean htmlSafe) {
        String indentText = null;
        if (indent != null && !(indent instanceof Undefined)) {
            if (Py.isInt(indent)) {
                if (Py.asLong(indent) > MAX_INDENT) {
                    throw new TemplateException(TemplateException.Kind.LIMIT, "a JSON indent of " + Py.asLong(indent)
                            + " is beyond the budget of " + MAX_INDENT);
                }
                indentText = " ".repeat((int) Math.max(0, Py.asLong(indent)));
            } else if (Py.isString(indent)) {
                indentText = Py.str(indent);
                if (indentText.length() > MAX_INDENT) {
                    throw new TemplateException(TemplateException.Kind.LIMIT, "a JSON indent beyond the budget");
                }
            } else {
                throw TemplateException.type("indent must be an int or a str, not " + Py.typeName(indent));
            }
        }
        String item = indentText == null ? ", " : ",";
        String key = ": ";
        if (separators != null && !(separators instanceof Undefined)) {
            if (!(separators instanceof List<?> pair) || pair.size() != 2) {
                throw TemplateException.type("separators must be a pair of strings");
            }
            item = Py.requireString(pair.get(0), "item separator");
            key = Py.requireString(pair.get(1), "key separator");
        }
        StringBuilder out = new StringBuilder();
        new Json(ensureAscii, indentText, item, key, sortKeys, htmlSafe).write(Py.wrap(value), out, 0);
        return out.toString();
    }

    private void write(Object v, StringBuilder out, int depth) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Long l) {
            out.append(l);
        } else if (v instanceof Double d) {
            out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(d));
        } else if (Py.isString(v)) {
            string(Py.str(v), out);
        } else if (v instanceof List<?> list && !(v instanceof PyView)) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(itemSeparator);
                }
                newline(out, depth + 1);
                write(list.get(i), out, depth + 1);
            }
            newline(out, depth);
            out.append(']');
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            List<Map.Entry<Object, Object>> entries = new ArrayList<>();
            for (var e : map.entrySet()) {
                entries.add(new java.util.AbstractMap.SimpleEntry<>(e.getKey(), e.getValue()));
            }
            if (sortKeys) { // Python sorts the keys themselves: numbers numerically, mixed types fail
                entries.sort((a, b) -> Filters.pythonOrder(a.getKey(), b.getKey()));
            }
            out.append('{');
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    out.append(itemSeparator);
                }
                newline(out, depth + 1);
                string(key(entries.get(i).getKey()), out);
                out.append(keySeparator);
                write(entries.get(i).getValue(), out, depth + 1);
            }
            newline(out, depth);
            out.append('}');
        } else {
            throw TemplateException.type("Object of type " + Py.typeName(v) + " is not JSON serializable");
        }
    }

    private void newline(StringBuilder out, int depth) {
        if (indent != null) {
            out.append('\n');
            out.append(indent.repeat(depth));
        }
    }

    /** Python converts keys: str as is, numbers and bools and None to their JSON text. */
    private static String key(Object k) {
        if (Py.isString(k)) {
            return Py.str(k);
        }
        if (k == null) {
            return "null";
        }
        if (k instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (k instanceof Long l) {
            return Long.toString(l);
        }
        if (k instanceof Double d) {
            return Py.floatRepr(d);
        }
        throw TemplateException.type("keys must be str, int, float, bool or None, not " + Py.typeName(k));
    }

    private void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || ensureAscii && c > 0x7e || htmlSafe && (c == '<' || c == '>' || c == '&' || c == '\'')) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
