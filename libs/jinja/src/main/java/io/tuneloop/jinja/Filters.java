package io.tuneloop.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jinja2's built-in filters with jinja2's results. The few jinja2 filters that are not here are
 * refused by name when a template is compiled (see {@link #UNSUPPORTED}).
 */
final class Filters {
    /** A filter as the engine calls it. */
    interface Filter {
        Object apply(Render render, Object value, List<Object> args, Map<String, Object> kwargs);
    }

    /** jinja2 filters this engine refuses rather than approximates. */
    static final Set<String> UNSUPPORTED = Set.of("filesizeformat", "groupby", "pprint", "random", "striptags",
            "urlencode", "urlize", "wordwrap", "xmlattr");

    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern PY_FLOAT = Pattern.compile(
            "[+-]?(([0-9_]+\\.?[0-9_]*|\\.[0-9_]+)(e[+-]?[0-9_]+)?|inf|infinity|nan)");

    static final Map<String, Filter> BUILTIN = builtins();

    private Filters() {
    }

    private static Map<String, Filter> builtins() {
        Map<String, Filter> f = new HashMap<>();
        f.put("abs", (r, v, a, k) -> {
            Args.bind("abs", a, k);
            Py.undefinedCheck(v);
            if (Py.isInt(v)) {
                return Math.abs(Py.asLong(v));
            }
            if (v instanceof Double d) {
                return Math.abs(d);
            }
            throw TemplateException.type("bad operand type for abs(): '" + Py.typeName(v) + "'");
        });
        f.put("attr", (r, v, a, k) -> {
            String name = Py.str(Args.bind("attr", a, k, "name").required(0));
            if (name.startsWith("_")) {
                return Undefined.unsafe(v, name);
            }
            Object attribute = Py.attribute(v, name);
            return attribute == Py.MISSING ? Undefined.missingAttribute(v, name) : attribute;
        });
        f.put("batch", (r, v, a, k) -> {
            Args args = Args.bind("batch", a, k, "linecount", "fill_with");
            long size = args.integer(0, 1);
            Object fill = args.get(1, null);
            if (fill != null) {
                r.checkSize(size); // the last batch is filled up to size
            }
            List<Object> batches = new ArrayList<>();
            List<Object> current = new ArrayList<>();
            for (Object item : Py.iterate(v)) {
                r.tick();
                if (current.size() == size) {
                    batches.add(current);
                    current = new ArrayList<>();
                }
                current.add(item);
            }
            if (!current.isEmpty()) {
                while (fill != null && current.size() < size) {
                    current.add(fill);
                }
                batches.add(current);
            }
            return new PyIterator("generator", batches);
        });
        f.put("capitalize", (r, v, a, k) -> {
            Args.bind("capitalize", a, k);
            return sameKind(v, Methods.capitalize(Py.str(v)));
        });
        f.put("center", (r, v, a, k) -> {
            long width = Args.bind("center", a, k, "width").integer(0, 80);
            r.checkSize(width);
            return sameKind(v, Py.getattr(Py.str(v), "center") instanceof PyCallable c
                    ? Py.str(c.call(r, List.of(width), Map.of())) : Py.str(v));
        });
        Filter lengthOf = (r, v, a, k) -> {
            Args.bind("length", a, k);
            return Py.len(v);
        };
        f.put("length", lengthOf);
        f.put("count", lengthOf);
        Filter fallback = (r, v, a, k) -> {
            Args args = Args.bind("default", a, k, "default_value", "boolean");
            boolean useOnFalse = args.bool(1, false);
            return v instanceof Undefined || useOnFalse && !Py.truthy(v) ? args.get(0, "") : v;
        };
        f.put("default", fallback);
        f.put("d", fallback);
        f.put("dictsort", (r, v, a, k) -> {
            Args args = Args.bind("dictsort", a, k, "case_sensitive", "by", "reverse");
            boolean caseSensitive = args.bool(0, false);
            String by = args.string(1, "key");
            if (!by.equals("key") && !by.equals("value")) {
                throw TemplateException.type("You can only sort by either \"key\" or \"value\"");
            }
            if (!(v instanceof Map<?, ?> map)) {
                throw TemplateException.type("dictsort needs a mapping, not " + Py.typeName(v));
            }
            List<Object> items = new ArrayList<>();
            map.forEach((key, value) -> items.add(new PyTuple(key, value)));
            int position = by.equals("key") ? 0 : 1;
            Comparator<Object> order = Comparator.comparing(item -> sortKey(((PyTuple) item).get(position), caseSensitive),
                    Filters::pythonOrder);
            items.sort(args.bool(2, false) ? order.reversed() : order);
            return items;
        });
        Filter escape = (r, v, a, k) -> {
            Args.bind("escape", a, k);
            return Markup.escape(v);
        };
        f.put("escape", escape);
        f.put("e", escape);
        f.put("forceescape", (r, v, a, k) -> {
            Args.bind("forceescape", a, k);
            return Markup.escape(Py.str(v));
        });
        f.put("first", (r, v, a, k) -> {
            Args.bind("first", a, k);
            Object first = v instanceof PyIterator it ? it.next() : firstOf(Py.iterate(v));
            return first == Py.MISSING ? Undefined.because("No first item, sequence was empty.") : first;
        });
        f.put("last", (r, v, a, k) -> {
            Args.bind("last", a, k);
            if (v instanceof PyIterator it) {
                throw TemplateException.type("'" + it.kind + "' object is not reversible");
            }
            List<?> items = Py.iterate(v);
            return items.isEmpty() ? Undefined.because("No last item, sequence was empty.") : items.get(items.size() - 1);
        });
        f.put("float", (r, v, a, k) -> {
            Object defaultValue = Args.bind("float", a, k, "default").get(0, 0.0);
            Py.undefinedCheck(v);
            return toFloat(v, defaultValue);
        });
        f.put("format", (r, v, a, k) -> {
            if (!a.isEmpty() && !k.isEmpty()) {
                throw TemplateException.type("can't handle positional and keyword arguments at the same time");
            }
            Map<Object, Object> named = new java.util.LinkedHashMap<>(k);
            return Printf.format(Py.str(v), k.isEmpty() ? PyTuple.of(a) : named);
        });
        f.put("indent", (r, v, a, k) -> {
            Args args = Args.bind("indent", a, k, "width", "first", "blank");
            Object width = args.get(0, 4L);
            long spaces = Py.isString(width) ? 0 : Math.max(0, Py.requireInt(width, "width"));
            r.checkSize(spaces);
            String indention = Py.isString(width) ? Py.str(width) : " ".repeat((int) spaces);
            Py.undefinedCheck(v); // jinja2 appends a newline to the value: undefined fails there
            String indented = indent(Py.str(v), indention, args.bool(1, false), args.bool(2, false));
            return v instanceof Markup ? new Markup(indented) : indented;
        });
        f.put("int", (r, v, a, k) -> {
            Args args = Args.bind("int", a, k, "default", "base");
            Py.undefinedCheck(v);
            return toInt(v, args.get(0, 0L), args.integer(1, 10));
        });
        f.put("items", (r, v, a, k) -> {
            Args.bind("items", a, k);
            if (v instanceof Undefined) {
                return new PyIterator("generator", List.of());
            }
            if (!(v instanceof Map<?, ?> map)) {
                throw TemplateException.type("Can only get item pairs from a mapping.");
            }
            List<Object> items = new ArrayList<>();
            map.forEach((key, value) -> items.add(new PyTuple(key, value)));
            return new PyIterator("generator", items);
        });
        f.put("join", (r, v, a, k) -> {
            Args args = Args.bind("join", a, k, "d", "attribute");
            String separator = Py.str(args.get(0, ""));
            List<?> items = Py.iterate(v);
            if (args.has(1) && args.get(1, null) != null) {
                items = map(r, items, attributeGetter(args.get(1, null), null, null));
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < items.size(); i++) {
                r.tick();
                if (i > 0) {
                    out.append(separator);
                }
                out.append(Py.str(items.get(i)));
                r.checkSize(out.length());
            }
            return out.toString();
        });
        f.put("list", (r, v, a, k) -> {
            Args.bind("list", a, k);
            return new ArrayList<Object>(Py.iterate(v));
        });
        f.put("lower", (r, v, a, k) -> {
            Args.bind("lower", a, k);
            return sameKind(v, Methods.lower(Py.str(v)));
        });
        f.put("upper", (r, v, a, k) -> {
            Args.bind("upper", a, k);
            return sameKind(v, Methods.upper(Py.str(v)));
        });
        f.put("map", (r, v, a, k) -> {
            java.util.function.UnaryOperator<Object> function;
            if (a.isEmpty() && k.containsKey("attribute")) {
                Map<String, Object> rest = new HashMap<>(k);
                Object attribute = rest.remove("attribute");
                Object fallbackValue = rest.remove("default");
                if (!rest.isEmpty()) {
                    throw TemplateException.type("Unexpected keyword argument '" + rest.keySet().iterator().next() + "'");
                }
                function = attributeGetter(attribute, null, fallbackValue);
            } else {
                if (a.isEmpty()) {
                    throw TemplateException.type("map requires a filter argument");
                }
                String name = Py.requireString(a.get(0), "filter name");
                List<Object> rest = a.subList(1, a.size());
                function = item -> { // looked up when first applied, as jinja2's call_filter does
                    Filter filter = r.env.filter(name);
                    if (filter == null) {
                        throw new TemplateException(TemplateException.Kind.SYNTAX, "No filter named '" + name + "'.");
                    }
                    return filter.apply(r, item, rest, k);
                };
            }
            return new PyIterator("generator", Py.truthy(v) ? map(r, Py.iterate(v), function) : List.of());
        });
        f.put("select", (r, v, a, k) -> new PyIterator("generator", select(r, v, a, k, false, false)));
        f.put("reject", (r, v, a, k) -> new PyIterator("generator", select(r, v, a, k, true, false)));
        f.put("selectattr", (r, v, a, k) -> new PyIterator("generator", select(r, v, a, k, false, true)));
        f.put("rejectattr", (r, v, a, k) -> new PyIterator("generator", select(r, v, a, k, true, true)));
        f.put("min", (r, v, a, k) -> extreme(r, v, a, k, "min"));
        f.put("max", (r, v, a, k) -> extreme(r, v, a, k, "max"));
        f.put("replace", (r, v, a, k) -> {
            Args args = Args.bind("replace", a, k, "old", "new", "count");
            Object count = args.get(2, null);
            return Methods.replace(r, Py.str(v), Py.str(args.required(0)), Py.str(args.required(1)),
                    count == null ? -1 : Py.requireInt(count, "count"));
        });
        f.put("reverse", (r, v, a, k) -> {
            Args.bind("reverse", a, k);
            if (Py.isString(v)) {
                return Py.slice(Py.str(v), new Py.Slice(null, null, -1L));
            }
            boolean reversible = v instanceof List || v instanceof Map; // reversed() works; a generator becomes a list
            List<Object> items = new ArrayList<>(Py.iterate(v));
            java.util.Collections.reverse(items);
            return reversible ? new PyIterator(v instanceof Map ? "dict_reversekeyiterator" : "list_reverseiterator", items)
                    : items;
        });
        f.put("round", (r, v, a, k) -> {
            Args args = Args.bind("round", a, k, "precision", "method");
            long precision = args.integer(0, 0);
            String method = args.string(1, "common");
            Py.undefinedCheck(v);
            if (!Py.isNumber(v)) {
                throw TemplateException.type("type " + Py.typeName(v) + " doesn't define __round__ method");
            }
            switch (method) {
                case "common" -> {
                    if (Py.isInt(v)) { // round(int, n) is an int, to the nearest multiple of 10^-n, ties to even
                        return precision >= 0 ? Py.asLong(v) : new BigDecimal(Py.asLong(v))
                                .setScale((int) precision, RoundingMode.HALF_EVEN).longValueExact();
                    }
                    double d = Py.asDouble(v);
                    if (Double.isNaN(d) || Double.isInfinite(d)) {
                        return d;
                    }
                    double rounded = new BigDecimal(d).setScale((int) precision, RoundingMode.HALF_EVEN).doubleValue();
                    return rounded == 0 ? Math.copySign(0.0, d) : rounded;
                }
                case "ceil", "floor" -> { // math.ceil/floor give an int, then / 10**p gives a float
                    double scale = Math.pow(10, precision);
                    double scaled = Py.asDouble(v) * scale;
                    double whole = method.equals("ceil") ? Math.ceil(scaled) : Math.floor(scaled);
                    return (whole == 0 ? 0.0 : whole) / scale;
                }
                default -> throw TemplateException.type("method must be common, ceil or floor");
            }
        });
        f.put("safe", (r, v, a, k) -> {
            Args.bind("safe", a, k);
            return v instanceof Markup ? v : new Markup(Py.str(v));
        });
        f.put("slice", (r, v, a, k) -> {
            Args args = Args.bind("slice", a, k, "slices", "fill_with");
            long slices = args.integer(0, 1);
            Object fill = args.get(1, null);
            if (slices == 0) {
                throw TemplateException.type("integer division or modulo by zero");
            }
            List<?> seq = Py.iterate(v);
            r.checkSize(slices);
            int length = seq.size();
            long perSlice = length / slices;
            long withExtra = length % slices;
            int offset = 0;
            List<Object> out = new ArrayList<>();
            for (long n = 0; n < slices; n++) {
                r.tick();
                int start = (int) (offset + n * perSlice);
                if (n < withExtra) {
                    offset++;
                }
                int end = (int) (offset + (n + 1) * perSlice);
                List<Object> part = new ArrayList<>(seq.subList(start, end));
                if (fill != null && n >= withExtra) {
                    part.add(fill);
                }
                out.add(part);
            }
            return new PyIterator("generator", out);
        });
        f.put("sort", (r, v, a, k) -> {
            Args args = Args.bind("sort", a, k, "reverse", "case_sensitive", "attribute");
            boolean caseSensitive = args.bool(1, false);
            java.util.function.UnaryOperator<Object> key = multiAttributeGetter(args.get(2, null), caseSensitive);
            List<Object> items = new ArrayList<>(Py.iterate(v));
            List<Object[]> keyed = new ArrayList<>();
            for (Object item : items) {
                r.tick();
                keyed.add(new Object[]{key.apply(item), item});
            }
            Comparator<Object[]> order = (x, y) -> pythonOrder(x[0], y[0]);
            keyed.sort(args.bool(0, false) ? order.reversed() : order);
            List<Object> sorted = new ArrayList<>();
            keyed.forEach(e -> sorted.add(e[1]));
            return sorted;
        });
        f.put("string", (r, v, a, k) -> {
            Args.bind("string", a, k);
            return v instanceof Markup ? v : Py.str(v);
        });
        f.put("sum", (r, v, a, k) -> {
            Args args = Args.bind("sum", a, k, "attribute", "start");
            List<?> items = Py.iterate(v);
            if (args.get(0, null) != null) {
                items = map(r, items, attributeGetter(args.get(0, null), null, null));
            }
            Object total = args.get(1, 0L);
            if (Py.isString(total)) {
                throw TemplateException.type("sum() can't sum strings [use ''.join(seq) instead]");
            }
            for (Object item : items) {
                r.tick();
                total = Py.add(total, item, r);
            }
            return total;
        });
        f.put("title", (r, v, a, k) -> {
            Args.bind("title", a, k);
            return title(Py.str(v));
        });
        f.put("tojson", (r, v, a, k) -> {
            Object indent = Args.bind("tojson", a, k, "indent").get(0, null);
            return new Markup(Json.dumps(v, true, indent, null, true, true));
        });
        f.put("trim", (r, v, a, k) -> {
            String chars = Args.bind("trim", a, k, "chars").string(0, null);
            return sameKind(v, Methods.strip(Py.str(v), chars, true, true));
        });
        f.put("truncate", (r, v, a, k) -> {
            Args args = Args.bind("truncate", a, k, "length", "killwords", "end", "leeway");
            long length = args.integer(0, 255);
            boolean killwords = args.bool(1, false);
            String end = args.string(2, "...");
            long leeway = args.get(3, null) == null ? 5 : args.integer(3, 5);
            String s = Py.str(v);
            if (length < end.length() || leeway < 0) {
                throw TemplateException.type("expected length >= " + end.length() + ", got " + length);
            }
            if (Py.len(s) <= length + leeway) {
                return s;
            }
            String head = (String) Py.slice(s, new Py.Slice(null, length - end.length(), null));
            if (killwords) {
                return head + end;
            }
            return Methods.rsplit(head, " ", 1).get(0) + end;
        });
        f.put("unique", (r, v, a, k) -> {
            Args args = Args.bind("unique", a, k, "case_sensitive", "attribute");
            boolean caseSensitive = args.bool(0, false);
            java.util.function.UnaryOperator<Object> key = attributeGetter(args.get(1, null),
                    caseSensitive ? null : Filters::ignoreCase, null);
            List<Object> seen = new ArrayList<>();
            List<Object> out = new ArrayList<>();
            for (Object item : Py.iterate(v)) {
                r.tick();
                Object itemKey = key.apply(item);
                if (!Py.hashable(itemKey)) {
                    throw TemplateException.type("unhashable type: '" + Py.typeName(itemKey) + "'");
                }
                if (seen.stream().noneMatch(s -> Py.eq(s, itemKey))) {
                    seen.add(itemKey);
                    out.add(item);
                }
            }
            return new PyIterator("generator", out);
        });
        f.put("wordcount", (r, v, a, k) -> {
            Args.bind("wordcount", a, k);
            long n = 0;
            boolean inWord = false;
            for (int c : Py.str(v).codePoints().toArray()) { // Python's \w: str.isalnum() or '_'
                boolean word = c == '_' || Character.isLetter(c) || Methods.isNumericChar(c);
                if (word && !inWord) {
                    n++;
                }
                inWord = word;
            }
            return n;
        });
        return Map.copyOf(f);
    }

    // ---- helpers shared by several filters -------------------------------------------------------

    /** What markupsafe's str methods return: text marked safe stays marked safe. */
    private static Object sameKind(Object input, String result) {
        return input instanceof Markup ? new Markup(result) : result;
    }

    private static Object firstOf(List<?> items) {
        return items.isEmpty() ? Py.MISSING : items.get(0);
    }

    private static List<Object> map(Render render, List<?> items, java.util.function.UnaryOperator<Object> function) {
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
            render.tick();
            out.add(function.apply(item));
        }
        return out;
    }

    /** jinja2's make_attrgetter: "a.b.0" looked up part by part with getitem semantics. */
    static java.util.function.UnaryOperator<Object> attributeGetter(Object attribute,
                                                                    java.util.function.UnaryOperator<Object> post,
                                                                    Object fallback) {
        List<Object> parts = attributeParts(attribute);
        return item -> {
            Object value = item;
            for (Object part : parts) {
                value = Py.getitem(value, part);
                if (fallback != null && value instanceof Undefined) {
                    value = fallback;
                }
            }
            return post == null ? value : post.apply(value);
        };
    }

    private static java.util.function.UnaryOperator<Object> multiAttributeGetter(Object attribute, boolean caseSensitive) {
        List<java.util.function.UnaryOperator<Object>> getters = new ArrayList<>();
        if (Py.isString(attribute)) {
            for (String part : Py.str(attribute).split(",", -1)) {
                getters.add(attributeGetter(part, caseSensitive ? null : Filters::ignoreCase, null));
            }
        } else {
            getters.add(attributeGetter(attribute, caseSensitive ? null : Filters::ignoreCase, null));
        }
        return item -> {
            List<Object> keys = new ArrayList<>();
            getters.forEach(g -> keys.add(g.apply(item)));
            return keys;
        };
    }

    private static List<Object> attributeParts(Object attribute) {
        if (attribute == null) {
            return List.of();
        }
        if (Py.isString(attribute)) {
            List<Object> parts = new ArrayList<>();
            for (String part : Py.str(attribute).split("\\.", -1)) {
                parts.add(!part.isEmpty() && part.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(part) : part);
            }
            return parts;
        }
        return List.of(attribute);
    }

    private static Object ignoreCase(Object value) {
        return Py.isString(value) ? Methods.lower(Py.str(value)) : value;
    }

    private static Object sortKey(Object value, boolean caseSensitive) {
        return caseSensitive ? value : ignoreCase(value);
    }

    /** sorted()'s order as a comparator: Python sorts with {@code <} alone (TypeError for values it cannot order). */
    static int pythonOrder(Object a, Object b) {
        return Py.less(a, b) ? -1 : Py.less(b, a) ? 1 : 0;
    }

    private static List<Object> select(Render render, Object value, List<Object> args, Map<String, Object> kwargs,
                                       boolean reject, boolean byAttribute) {
        List<Object> out = new ArrayList<>();
        if (!Py.truthy(value)) {
            return out;
        }
        int offset = 0;
        java.util.function.UnaryOperator<Object> transform = java.util.function.UnaryOperator.identity();
        if (byAttribute) {
            if (args.isEmpty()) {
                throw TemplateException.type("Missing parameter for attribute name");
            }
            transform = attributeGetter(args.get(0), null, null);
            offset = 1;
        }
        java.util.function.Predicate<Object> test;
        if (args.size() > offset) {
            String name = Py.requireString(args.get(offset), "test name");
            Tests.Test t = Tests.BUILTIN.get(name);
            if (t == null) {
                throw new TemplateException(TemplateException.Kind.SYNTAX, "No test named '" + name + "'.");
            }
            List<Object> rest = args.subList(offset + 1, args.size());
            test = item -> t.test(render, item, rest, kwargs);
        } else {
            test = Py::truthy;
        }
        for (Object item : Py.iterate(value)) {
            render.tick();
            if (test.test(transform.apply(item)) != reject) {
                out.add(item);
            }
        }
        return out;
    }

    private static Object extreme(Render render, Object value, List<Object> a, Map<String, Object> k, String which) {
        Args args = Args.bind(which, a, k, "case_sensitive", "attribute");
        java.util.function.UnaryOperator<Object> key = attributeGetter(args.get(1, null),
                args.bool(0, false) ? null : Filters::ignoreCase, null);
        List<?> items = Py.iterate(value);
        if (items.isEmpty()) {
            return Undefined.because("No aggregated item, sequence was empty.");
        }
        Object best = items.get(0);
        Object bestKey = key.apply(best);
        for (int i = 1; i < items.size(); i++) {
            render.tick();
            Object itemKey = key.apply(items.get(i));
            if (Py.ordered(which.equals("min") ? "<" : ">", itemKey, bestKey)) {
                best = items.get(i);
                bestKey = itemKey;
            }
        }
        return best;
    }

    /** jinja2's title filter (not str.title()): words start after '-', whitespace or an opening bracket. */
    static String title(String s) {
        StringBuilder out = new StringBuilder();
        Matcher m = WORD_BEGINNING.matcher(s);
        int last = 0;
        while (m.find()) {
            titleWord(s.substring(last, m.start()), out);
            titleWord(m.group(), out);
            last = m.end();
        }
        titleWord(s.substring(last), out);
        return out.toString();
    }

    private static void titleWord(String item, StringBuilder out) {
        if (item.isEmpty()) {
            return;
        }
        int first = item.codePointAt(0);
        int n = Character.charCount(first);
        out.append(Methods.upper(item.substring(0, n))).append(Methods.lower(item.substring(n)));
    }

    /** jinja2's indent filter, including its appended-newline quirk for splitlines. */
    static String indent(String s, String indention, boolean first, boolean blank) {
        s = s + "\n";
        String rv;
        List<String> lines = Methods.splitlines(s, false);
        if (blank) {
            rv = String.join("\n" + indention, lines);
        } else {
            StringBuilder out = new StringBuilder(lines.isEmpty() ? "" : lines.get(0));
            if (lines.size() > 1) {
                for (int i = 1; i < lines.size(); i++) {
                    String line = lines.get(i);
                    out.append('\n').append(line.isEmpty() ? line : indention + line);
                }
            }
            rv = out.toString();
        }
        return first ? indention + rv : rv;
    }

    private static Object toInt(Object value, Object fallback, long base) {
        if (Py.isInt(value)) {
            return Py.asLong(value);
        }
        if (value instanceof Double d) {
            if (Double.isInfinite(d)) { // int(inf) raises OverflowError, which jinja2 does not catch
                throw TemplateException.type("cannot convert float infinity to integer");
            }
            return Double.isNaN(d) ? fallback : truncate(d);
        }
        if (Py.isString(value)) {
            Long parsed = parseInt(Py.str(value), (int) base);
            if (parsed != null) {
                return parsed;
            }
            Object asFloat = toFloat(value, null); // jinja2's quirk: "42.23"|int is 42
            if (asFloat instanceof Double d && !Double.isNaN(d) && !Double.isInfinite(d)) {
                return truncate(d);
            }
        }
        return fallback;
    }

    private static long truncate(double d) {
        if (Math.abs(d) >= 9.223372036854775807E18) {
            throw TemplateException.unsupported("an integer beyond 64 bits");
        }
        return (long) d;
    }

    /** Python's int(text, base): whitespace, a sign, a base prefix, underscores between digits, any decimal digits. */
    private static Long parseInt(String text, int base) {
        String t = Py.strip(text);
        boolean negative = t.startsWith("-");
        if (t.startsWith("-") || t.startsWith("+")) {
            t = t.substring(1);
        }
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        int radix = base;
        if (lower.length() > 2 && lower.charAt(0) == '0' && "xob".indexOf(lower.charAt(1)) >= 0) {
            int prefixed = lower.charAt(1) == 'x' ? 16 : lower.charAt(1) == 'o' ? 8 : 2;
            if (base == 0 || base == prefixed) {
                radix = prefixed;
                t = t.substring(2);
                if (t.startsWith("_")) {
                    t = t.substring(1);
                }
            }
        } else if (base == 0) {
            radix = 10;
            if (t.length() > 1 && t.chars().allMatch(c -> c == '0' || c == '_') == false && t.startsWith("0")) {
                return null; // base 0 does not allow leading zeros ("010")
            }
        }
        if (t.isEmpty() || t.startsWith("_") || t.endsWith("_") || t.contains("__") || radix < 2 || radix > 36) {
            return null;
        }
        StringBuilder digits = new StringBuilder();
        for (int i = 0; i < t.length(); ) {
            int c = t.codePointAt(i);
            i += Character.charCount(c);
            if (c == '_') {
                continue;
            }
            int d = Character.digit(c, radix);
            if (d < 0) {
                return null;
            }
            digits.append(Character.forDigit(d, radix));
        }
        try {
            long v = Long.parseLong(digits.toString(), radix);
            return negative ? -v : v;
        } catch (NumberFormatException e) {
            throw TemplateException.unsupported("an integer beyond 64 bits");
        }
    }

    /** Python's float(text): decimal digits of any script, underscores between digits, inf, infinity, nan. */
    private static Object toFloat(Object value, Object fallback) {
        if (Py.isNumber(value)) {
            return Py.asDouble(value);
        }
        if (!Py.isString(value)) {
            return fallback;
        }
        StringBuilder ascii = new StringBuilder();
        String t = Py.strip(Py.str(value));
        for (int i = 0; i < t.length(); ) {
            int c = t.codePointAt(i);
            i += Character.charCount(c);
            ascii.append(Character.isDigit(c) ? (char) ('0' + Character.digit(c, 10)) : c < 128 ? (char) c : '?');
        }
        String text = ascii.toString().toLowerCase(java.util.Locale.ROOT);
        if (!PY_FLOAT.matcher(text).matches() || text.isEmpty() || text.matches(".*(^|[^0-9])_|_($|[^0-9]).*")) {
            return fallback;
        }
        String unsigned = text.replaceFirst("^[+-]", "");
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(text.replace("_", ""));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

}
