package io.tuneloop.jinja;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's semantics for template values, as jinja2 inherits them: truth, str() and repr(),
 * equality and ordering, arithmetic, len(), iteration, indexing and slicing (by code point, as
 * Python strings are indexed). Values are Java objects: null is None, Long is int, Double is float,
 * Boolean is bool, String is str, List is list, {@link PyTuple} is tuple, Map is dict.
 */
final class Py {
    private Py() {
    }

    // ---- value normalisation -------------------------------------------------------------------

    /** Converts a value handed in by Java code into a template value (Integer → int, arrays → lists, ...). */
    static Object wrap(Object value) {
        if (value == null || value instanceof String || value instanceof Long || value instanceof Double
                || value instanceof Boolean || value instanceof Undefined || value instanceof PyCallable
                || value instanceof Namespace || value instanceof Markup || value instanceof Loop
                || value instanceof PyTuple || value instanceof PyView || value instanceof PyIterator
                || value instanceof PyRange) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return (double) f;
        }
        if (value instanceof java.math.BigInteger b) {
            if (b.bitLength() > 63) {
                throw TemplateException.unsupported("an integer beyond 64 bits (" + b + ")");
            }
            return b.longValue();
        }
        if (value instanceof BigDecimal b) {
            return b.doubleValue();
        }
        if (value instanceof CharSequence s) {
            return s.toString();
        }
        if (value instanceof Character c) {
            return c.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(wrap(k), wrap(v)));
            return copy;
        }
        if (value instanceof Collection<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                copy.add(wrap(item));
            }
            return copy;
        }
        if (value instanceof Object[] array) {
            return wrap(List.of(array));
        }
        if (value instanceof JinjaFunction function) {
            return new PyCallable() {
                @Override
                public Object call(Render render, List<Object> args, Map<String, Object> kwargs) {
                    return wrap(function.call(args, kwargs));
                }

                @Override
                public String name() {
                    return "function";
                }
            };
        }
        throw TemplateException.type("a template value cannot be a " + value.getClass().getName());
    }

    // ---- type names, truth ---------------------------------------------------------------------

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String || v instanceof Markup) {
            return "str";
        }
        if (v instanceof PyTuple) {
            return "tuple";
        }
        if (v instanceof PyRange) {
            return "range";
        }
        if (v instanceof PyView view) {
            return view.kind;
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Namespace) {
            return "Namespace";
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        if (v instanceof Loop) {
            return "LoopContext";
        }
        if (v instanceof PyIterator it) {
            return it.kind;
        }
        if (v instanceof PyCallable) {
            return "function";
        }
        return v.getClass().getSimpleName();
    }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Markup m) {
            return !m.text.isEmpty();
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    static boolean isString(Object v) {
        return v instanceof String || v instanceof Markup;
    }

    /** A Python number (bool included, as bool is an int subclass). */
    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long asLong(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return (Long) v;
    }

    static double asDouble(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).doubleValue();
    }

    /** A Python int argument (e.g. an index or a count), or a TypeError. */
    static long requireInt(Object v, String what) {
        undefinedCheck(v);
        if (!isInt(v)) {
            throw TemplateException.type(what + " must be an integer, not '" + typeName(v) + "'");
        }
        return asLong(v);
    }

    static String requireString(Object v, String what) {
        undefinedCheck(v);
        if (!isString(v)) {
            throw TemplateException.type(what + " must be str, not " + typeName(v));
        }
        return str(v);
    }

    static void undefinedCheck(Object v) {
        if (v instanceof Undefined u) {
            throw u.fail();
        }
    }

    // ---- str() and repr() ----------------------------------------------------------------------

    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Markup m) {
            return m.text;
        }
        if (v instanceof Undefined) {
            return "";
        }
        if (v instanceof Loop loop) {
            return "<LoopContext " + loop.index() + "/" + loop.length() + ">";
        }
        if (v instanceof Namespace ns) {
            return "<Namespace " + repr(ns.attributes) + ">";
        }
        if (v instanceof PyCallable c) {
            String printed = c.printed();
            if (printed == null) {
                throw TemplateException.unsupported("printing the function " + c.name() + " (Python prints its address)");
            }
            return printed;
        }
        if (v instanceof PyIterator it) {
            throw TemplateException.unsupported("printing a " + it.kind + " object (Python prints its address)");
        }
        return repr(v);
    }

    static String repr(Object v) {
        StringBuilder out = new StringBuilder();
        repr(v, out);
        return out.toString();
    }

    private static void repr(Object v, StringBuilder out) {
        if (v == null) {
            out.append("None");
        } else if (v instanceof Boolean b) {
            out.append(b ? "True" : "False");
        } else if (v instanceof Long l) {
            out.append(l);
        } else if (v instanceof Double d) {
            out.append(floatRepr(d));
        } else if (v instanceof String s) {
            stringRepr(s, out);
        } else if (v instanceof Markup m) {
            out.append("Markup(");
            stringRepr(m.text, out);
            out.append(')');
        } else if (v instanceof PyTuple t) {
            out.append('(');
            for (int i = 0; i < t.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                repr(t.get(i), out);
            }
            out.append(t.size() == 1 ? ",)" : ")");
        } else if (v instanceof PyRange range) {
            out.append(range.printed());
        } else if (v instanceof PyView view) {
            out.append(view.kind).append('(');
            repr(new ArrayList<>(view), out);
            out.append(')');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                repr(list.get(i), out);
            }
            out.append(']');
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (var e : map.entrySet()) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                repr(e.getKey(), out);
                out.append(": ");
                repr(e.getValue(), out);
            }
            out.append('}');
        } else if (v instanceof Undefined) {
            out.append("Undefined");
        } else if (v instanceof Loop || v instanceof Namespace || v instanceof PyCallable || v instanceof PyIterator) {
            out.append(str(v));
        } else {
            out.append(v);
        }
    }

    /** Python's repr of a str: single quotes unless only double quotes avoid escaping. */
    static void stringRepr(String s, StringBuilder out) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < ' ' || c == 0x7f) {
                appendEscape(c, out);
            } else if (c < 0x7f || isPrintable(c)) {
                out.appendCodePoint(c);
            } else {
                appendEscape(c, out);
            }
        }
        out.append(quote);
    }

    /** Python's escape of one code point: \\xNN, \\uNNNN or \\UNNNNNNNN (repr and backslashreplace). */
    static void appendEscape(int c, StringBuilder out) {
        if (c <= 0xff) {
            out.append(String.format("\\x%02x", c));
        } else if (c <= 0xffff) {
            out.append(String.format("\\u%04x", c));
        } else {
            out.append(String.format("\\U%08x", c));
        }
    }

    /** Python's str.isprintable for one code point. */
    static boolean isPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's repr of a float: the shortest digits that read back as the same double. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = null;
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                shortest = candidate;
                break;
            }
        }
        if (shortest == null) {
            shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale(); // d = D.DDD × 10^exponent
        StringBuilder out = new StringBuilder();
        if (d < 0) {
            out.append('-');
        }
        if (exponent < -4 || exponent >= 16) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                out.append('0');
            }
            out.append(abs);
        } else if (exponent < 0) {
            out.append("0.");
            out.append("0".repeat(-exponent - 1)).append(digits);
        } else if (digits.length() <= exponent + 1) {
            out.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0");
        } else {
            out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
        }
        return out.toString();
    }

    // ---- equality and ordering -----------------------------------------------------------------

    static boolean eq(Object a, Object b) {
        if (a == b && !(a instanceof Double)) { // NaN is not equal to itself
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            return numericCompare(a, b) == 0;
        }
        if (isString(a) && isString(b)) {
            return str(a).equals(str(b));
        }
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if ((a instanceof PyTuple) != (b instanceof PyTuple) || (a instanceof PyRange) != (b instanceof PyRange)
                    || (a instanceof PyView) != (b instanceof PyView) || x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (var e : x.entrySet()) {
                Object k = findKey(y, e.getKey());
                if (k == MISSING || !eq(e.getValue(), y.get(k))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /**
     * Exact comparison of two Python numbers (an int and a float compare by value, as Python does,
     * not after rounding the int); 2 when unordered (NaN).
     */
    static int numericCompare(Object a, Object b) {
        if (isInt(a) && isInt(b)) {
            return Long.compare(asLong(a), asLong(b));
        }
        double x = asDouble(a);
        double y = asDouble(b);
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return 2;
        }
        if (isInt(a) && !Double.isInfinite(y) && Math.abs(asLong(a)) > (1L << 53)) {
            return new BigDecimal(asLong(a)).compareTo(new BigDecimal(y));
        }
        if (isInt(b) && !Double.isInfinite(x) && Math.abs(asLong(b)) > (1L << 53)) {
            return new BigDecimal(x).compareTo(new BigDecimal(asLong(b)));
        }
        return x < y ? -1 : x > y ? 1 : 0; // -0.0 == 0.0, as in Python
    }

    /** Python's {@code a <op> b} for {@code <, <=, >, >=}: numbers exactly (NaN compares false), else by {@link #compare}. */
    static boolean ordered(String op, Object a, Object b) {
        undefinedCheck(a);
        undefinedCheck(b);
        int c = isNumber(a) && isNumber(b) ? numericCompare(a, b) : compare(a, b, op);
        if (c == 2) {
            return false;
        }
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    /** Python's {@code a < b}, the only comparison sorted(), min() and max() use. */
    static boolean less(Object a, Object b) {
        return ordered("<", a, b);
    }

    /** Python's ordering for {@code <}: numbers, strings (by code point), lists and tuples lexicographically. */
    static int compare(Object a, Object b, String op) {
        undefinedCheck(a);
        undefinedCheck(b);
        if (isNumber(a) && isNumber(b)) {
            int c = numericCompare(a, b);
            return c == 2 ? 0 : c;
        }
        if (isString(a) && isString(b)) {
            return compareCodePoints(str(a), str(b));
        }
        if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof PyTuple) == (b instanceof PyTuple)
                && !(a instanceof PyView) && !(b instanceof PyView)) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw TemplateException.type("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    /** Whether Python can hash {@code v} (lists, dicts and views cannot be dict keys or set members). */
    static boolean hashable(Object v) {
        return !(v instanceof List && !(v instanceof PyTuple) && !(v instanceof PyRange) || v instanceof Map);
    }

    /** {@code map[key] = value} with Python's key semantics (an equal key already there keeps its identity). */
    static void put(Map<Object, Object> map, Object key, Object value) {
        if (!hashable(key)) {
            throw TemplateException.type("unhashable type: '" + typeName(key) + "'");
        }
        Object existing = findKey(map, key);
        map.put(existing == MISSING ? key : existing, value);
    }

    /**
     * The key of {@code map} that Python would find for {@code key} (1, 1.0 and True are one key; the
     * key first stored is kept, as in a Python dict), or MISSING.
     */
    static Object findKey(Map<?, ?> map, Object key) {
        if (map.containsKey(key) && !(key instanceof Double d && Double.isNaN(d))) {
            return key;
        }
        if (isNumber(key) || key instanceof Markup || key instanceof PyTuple) {
            for (Object k : map.keySet()) {
                if (eq(k, key)) {
                    return k;
                }
            }
        }
        return MISSING;
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof Undefined) {
            return false;
        }
        if (container instanceof Map<?, ?> map) {
            if (!hashable(item)) {
                throw TemplateException.type("unhashable type: '" + typeName(item) + "'");
            }
            return findKey(map, item) != MISSING;
        }
        if (isString(container)) {
            undefinedCheck(item);
            if (!isString(item)) {
                throw TemplateException.type("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return str(container).contains(str(item));
        }
        if (container instanceof List<?> list) {
            for (Object o : list) {
                if (o == item || eq(o, item)) { // Python's containment checks identity first (nan in [nan])
                    return true;
                }
            }
            return false;
        }
        throw TemplateException.type("argument of type '" + typeName(container) + "' is not iterable");
    }

    // ---- arithmetic ----------------------------------------------------------------------------

    static Object add(Object a, Object b, Render render) {
        undefinedCheck(a);
        undefinedCheck(b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return exact(() -> Math.addExact(asLong(a), asLong(b)));
            }
            return asDouble(a) + asDouble(b);
        }
        if (a instanceof Markup m && isString(b)) {
            return new Markup(m.text + Markup.escape(b).text);
        }
        if (a instanceof String s && b instanceof Markup m) {
            return new Markup(Markup.escape(s).text + m.text);
        }
        if (a instanceof String x && b instanceof String y) {
            render.checkSize((long) x.length() + y.length());
            return x.concat(y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y && !(a instanceof PyView) && !(b instanceof PyView)
                && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            render.checkSize((long) x.size() + y.size());
            List<Object> joined = new ArrayList<>(x);
            joined.addAll(y);
            return a instanceof PyTuple ? PyTuple.of(joined) : joined;
        }
        if (isString(a)) {
            throw TemplateException.type("can only concatenate str (not \"" + typeName(b) + "\") to str");
        }
        if (a instanceof List && !(a instanceof PyTuple) && b instanceof List) {
            throw TemplateException.type("can only concatenate list (not \"" + typeName(b) + "\") to list");
        }
        throw unsupportedOperands("+", a, b);
    }

    static Object sub(Object a, Object b) {
        numbers("-", a, b);
        if (isInt(a) && isInt(b)) {
            return exact(() -> Math.subtractExact(asLong(a), asLong(b)));
        }
        return asDouble(a) - asDouble(b);
    }

    static Object mul(Object a, Object b, Render render) {
        undefinedCheck(a);
        undefinedCheck(b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return exact(() -> Math.multiplyExact(asLong(a), asLong(b)));
            }
            return asDouble(a) * asDouble(b);
        }
        if (isInt(b) && (isString(a) || a instanceof List) || isInt(a) && (isString(b) || b instanceof List)) {
            Object sequence = isInt(b) ? a : b;
            long times = Math.max(0, asLong(isInt(b) ? b : a));
            if (isString(sequence)) {
                String s = str(sequence);
                render.checkSize(s.length(), times);
                return s.isEmpty() ? s : s.repeat((int) times);
            }
            if (sequence instanceof List<?> list && !(sequence instanceof PyView)) {
                render.checkSize(list.size(), times);
                if (list.isEmpty()) {
                    times = 0;
                }
                List<Object> out = new ArrayList<>();
                for (long i = 0; i < times; i++) {
                    out.addAll(list);
                }
                return sequence instanceof PyTuple ? PyTuple.of(out) : out;
            }
        }
        throw unsupportedOperands("*", a, b);
    }

    static Object div(Object a, Object b) {
        numbers("/", a, b);
        double divisor = asDouble(b);
        if (divisor == 0) {
            throw TemplateException.type(isInt(a) && isInt(b) ? "division by zero" : "float division by zero");
        }
        if (isInt(a) && isInt(b) && (Math.abs(asLong(a)) > (1L << 53) || Math.abs(asLong(b)) > (1L << 53))) {
            // Python divides ints with one rounding; dividing their double approximations would round twice
            return new BigDecimal(asLong(a)).divide(new BigDecimal(asLong(b)), new MathContext(40)).doubleValue();
        }
        return asDouble(a) / divisor;
    }

    static Object floorDiv(Object a, Object b) {
        numbers("//", a, b);
        if (isInt(a) && isInt(b)) {
            if (asLong(b) == 0) {
                throw TemplateException.type("integer division or modulo by zero");
            }
            return Math.floorDiv(asLong(a), asLong(b));
        }
        double y = asDouble(b);
        if (y == 0) {
            throw TemplateException.type("float floor division by zero");
        }
        return floatDivmod(asDouble(a), y)[0];
    }

    /** CPython's float_divmod: {floor quotient, remainder with the divisor's sign}. */
    private static double[] floatDivmod(double x, double y) {
        double mod = x % y;
        double div = (x - mod) / y;
        if (mod != 0) {
            if ((y < 0) != (mod < 0)) {
                mod += y;
                div -= 1.0;
            }
        } else {
            mod = Math.copySign(0.0, y);
        }
        double floor;
        if (div != 0) {
            floor = Math.floor(div);
            if (div - floor > 0.5) {
                floor += 1.0;
            }
        } else {
            floor = Math.copySign(0.0, x / y);
        }
        return new double[]{floor, mod};
    }

    static Object mod(Object a, Object b) {
        undefinedCheck(a);
        if (isString(a)) {
            return Printf.format(str(a), b); // an undefined argument prints as "" (str) or Undefined (repr)
        }
        undefinedCheck(b);
        numbers("%", a, b);
        if (isInt(a) && isInt(b)) {
            if (asLong(b) == 0) {
                throw TemplateException.type("integer division or modulo by zero");
            }
            return Math.floorMod(asLong(a), asLong(b));
        }
        double y = asDouble(b);
        if (y == 0) {
            throw TemplateException.type("float modulo");
        }
        return floatDivmod(asDouble(a), y)[1];
    }

    static Object pow(Object a, Object b) {
        numbers("**", a, b);
        if (isInt(a) && isInt(b) && asLong(b) >= 0) {
            long base = asLong(a);
            long exponent = asLong(b);
            long result = 1;
            long square = base;
            while (exponent > 0) { // by squaring: (-1) ** 10**10 takes 34 steps, not 10**10
                if ((exponent & 1) == 1) {
                    final long r = result;
                    final long q = square;
                    result = exact(() -> Math.multiplyExact(r, q));
                }
                exponent >>= 1;
                if (exponent > 0) {
                    final long q = square;
                    square = Math.abs(q) > 3_037_000_499L ? overflow() : q * q;
                }
            }
            return result;
        }
        double x = asDouble(a);
        double y = asDouble(b);
        if (x == 0 && y < 0) {
            throw TemplateException.type("0.0 cannot be raised to a negative power");
        }
        if (x < 0 && y != Math.rint(y) && !Double.isInfinite(y)) {
            throw TemplateException.unsupported("a complex result (a negative number to a fractional power)");
        }
        return Math.pow(x, y);
    }

    private static long overflow() {
        throw TemplateException.unsupported("an integer beyond 64 bits");
    }

    static Object negate(Object a) {
        undefinedCheck(a);
        if (isInt(a)) {
            return exact(() -> Math.negateExact(asLong(a)));
        }
        if (a instanceof Double d) {
            return -d;
        }
        throw TemplateException.type("bad operand type for unary -: '" + typeName(a) + "'");
    }

    static Object plus(Object a) {
        undefinedCheck(a);
        if (isInt(a)) {
            return asLong(a);
        }
        if (a instanceof Double) {
            return a;
        }
        throw TemplateException.type("bad operand type for unary +: '" + typeName(a) + "'");
    }

    private static void numbers(String op, Object a, Object b) {
        undefinedCheck(a);
        undefinedCheck(b);
        if (!isNumber(a) || !isNumber(b)) {
            throw unsupportedOperands(op, a, b);
        }
    }

    private static TemplateException unsupportedOperands(String op, Object a, Object b) {
        return TemplateException.type("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static long exact(java.util.function.LongSupplier op) {
        try {
            return op.getAsLong();
        } catch (ArithmeticException e) {
            throw TemplateException.unsupported("an integer beyond 64 bits");
        }
    }

    // ---- sequences -----------------------------------------------------------------------------

    /** What a for loop over {@code v} visits: list items, string characters, dict keys. */
    static List<?> iterate(Object v) {
        if (v instanceof List<?> list) {
            return list;
        }
        if (v instanceof PyIterator it) {
            return it.drain();
        }
        if (v instanceof Undefined) {
            return List.of();
        }
        if (isString(v)) {
            return characters(str(v));
        }
        if (v instanceof Map<?, ?> map) {
            return new ArrayList<>(map.keySet());
        }
        throw TemplateException.type("'" + typeName(v) + "' object is not iterable");
    }

    static List<String> characters(String s) {
        List<String> chars = new ArrayList<>(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int n = Character.charCount(c);
            chars.add(s.substring(i, i + n));
            i += n;
        }
        return chars;
    }

    static long len(Object v) {
        if (v instanceof Loop loop) {
            return loop.length();
        }
        if (isString(v)) {
            String s = str(v);
            return s.codePointCount(0, s.length());
        }
        if (v instanceof Collection<?> c) {
            return c.size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        if (v instanceof Undefined) {
            return 0;
        }
        throw TemplateException.type("object of type '" + typeName(v) + "' has no len()");
    }

    /** A slice {@code [start:stop:step]} with Python's defaults and negative indices. */
    record Slice(Object start, Object stop, Object step) {
        /** (start, stop, step) resolved against a sequence of {@code length}, as slice.indices(). */
        long[] indices(long length) {
            for (Object bound : new Object[]{start, stop, step}) {
                if (bound != null && !(bound instanceof Undefined) && !isInt(bound)) {
                    throw TemplateException.unsupported("a slice bound that is not an integer ("
                            + typeName(bound) + "; jinja2's result depends on its optimizer)");
                }
            }
            long stride = step == null ? 1 : requireInt(step, "slice step");
            if (stride == 0) {
                throw TemplateException.type("slice step cannot be zero");
            }
            long lower = stride < 0 ? -1 : 0;
            long upper = stride < 0 ? length - 1 : length;
            long from = start == null ? (stride < 0 ? upper : lower) : clamp(requireInt(start, "slice index"), length, lower, upper);
            long to = stop == null ? (stride < 0 ? lower : upper) : clamp(requireInt(stop, "slice index"), length, lower, upper);
            return new long[]{from, to, stride};
        }

        private static long clamp(long index, long length, long lower, long upper) {
            if (index < 0) {
                index += length;
                return Math.max(index, lower);
            }
            return Math.min(index, upper);
        }
    }

    static Object slice(Object sequence, Slice slice) {
        if (isString(sequence)) {
            String s = str(sequence);
            int[] points = s.codePoints().toArray();
            long[] r = slice.indices(points.length);
            StringBuilder out = new StringBuilder();
            for (long i = r[0]; r[2] > 0 ? i < r[1] : i > r[1]; i += r[2]) {
                out.appendCodePoint(points[(int) i]);
            }
            return out.toString();
        }
        if (sequence instanceof PyRange range) {
            long[] r = slice.indices(range.size());
            long count = r[2] > 0 ? Math.max(0, (r[1] - r[0] + r[2] - 1) / r[2]) : Math.max(0, (r[0] - r[1] - r[2] - 1) / -r[2]);
            return range.sliced(r[0], r[1], r[2], (int) count);
        }
        if (sequence instanceof List<?> list && !(sequence instanceof PyView)) {
            long[] r = slice.indices(list.size());
            List<Object> out = new ArrayList<>();
            for (long i = r[0]; r[2] > 0 ? i < r[1] : i > r[1]; i += r[2]) {
                out.add(list.get((int) i));
            }
            return sequence instanceof PyTuple ? PyTuple.of(out) : out;
        }
        return MISSING;
    }

    /** What {@link #index} returns for an index out of range (Python's IndexError). */
    static final Object MISSING = new Object();

    /** {@code sequence[index]} for lists and strings; {@link #MISSING} when out of range or not indexable. */
    static Object index(Object sequence, long index) {
        if (isString(sequence)) {
            String s = str(sequence);
            int n = s.codePointCount(0, s.length());
            long i = index < 0 ? index + n : index;
            if (i < 0 || i >= n) {
                return MISSING;
            }
            int at = s.offsetByCodePoints(0, (int) i);
            return s.substring(at, at + Character.charCount(s.codePointAt(at)));
        }
        if (sequence instanceof List<?> list && !(sequence instanceof PyView)) {
            long i = index < 0 ? index + list.size() : index;
            return i < 0 || i >= list.size() ? MISSING : list.get((int) i);
        }
        return MISSING;
    }

    // ---- attribute and item access (jinja2's sandboxed getattr / getitem) -----------------------

    /** {@code obj.name}: a Python attribute (a method, a namespace or loop attribute) first, then the item. */
    static Object getattr(Object obj, String name) {
        undefinedCheck(obj);
        if (isDunder(name)) { // every Python object has dunder attributes: the sandbox refuses them
            return Undefined.unsafe(obj, name);
        }
        Object attribute = attribute(obj, name);
        if (attribute != MISSING) {
            return attribute;
        }
        Object item = item(obj, name);
        return item != MISSING ? item : Undefined.missingAttribute(obj, name);
    }

    /** {@code obj[key]}: the item first, then (for a str key) the Python attribute. */
    static Object getitem(Object obj, Object key) {
        undefinedCheck(obj);
        Object item = item(obj, key);
        if (item != MISSING) {
            return item;
        }
        if (key instanceof String name) {
            if (isDunder(name)) {
                return Undefined.unsafe(obj, name);
            }
            Object attribute = attribute(obj, name);
            if (attribute != MISSING) {
                return attribute;
            }
        }
        return Undefined.missingAttribute(obj, key);
    }

    /** A name like {@code __class__}: an attribute every Python object has, unsafe in the sandbox. */
    static boolean isDunder(String name) {
        return name.length() > 4 && name.startsWith("__") && name.endsWith("__");
    }

    /** The Python attribute {@code name} of {@code obj} (not an item), or MISSING. */
    static Object attribute(Object obj, String name) {
        if (obj instanceof Namespace ns) {
            return ns.attributes.containsKey(name) ? ns.attributes.get(name) : MISSING;
        }
        if (obj instanceof Loop loop) {
            return loop.attribute(name);
        }
        return Methods.attribute(obj, name);
    }

    private static Object item(Object obj, Object key) {
        if (key instanceof Slice slice) { // jinja2 slices directly (not through getitem): errors surface
            Object sliced = slice(obj, slice);
            if (sliced == MISSING) {
                undefinedCheck(obj);
                throw TemplateException.type("'" + typeName(obj) + "' object is not subscriptable");
            }
            return sliced;
        }
        if (obj instanceof Map<?, ?> map) {
            if (!hashable(key)) {
                return MISSING; // a TypeError, which getitem turns into undefined
            }
            Object k = findKey(map, key);
            return k == MISSING ? MISSING : map.get(k);
        }
        if (isInt(key)) {
            return index(obj, asLong(key));
        }
        return MISSING;
    }

    // ---- whitespace ----------------------------------------------------------------------------

    /** Python's str.isspace for one code point (also what {@code \s} matches in a str pattern). */
    static boolean isSpace(int c) {
        return c == ' ' || c >= 0x09 && c <= 0x0d || c >= 0x1c && c <= 0x1f || c == 0x85 || c == 0xa0
                || c == 0x1680 || c >= 0x2000 && c <= 0x200a || c == 0x2028 || c == 0x2029 || c == 0x202f
                || c == 0x205f || c == 0x3000;
    }

    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    static String lstrip(String s) {
        int start = 0;
        while (start < s.length() && isSpace(s.charAt(start))) {
            start++;
        }
        return s.substring(start);
    }

    static String strip(String s) {
        return lstrip(rstrip(s));
    }
}
