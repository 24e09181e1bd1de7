package io.tuneloop.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods templates call on values ({@code content.strip()}, {@code message.get('x')},
 * {@code tools.items()}), with Python's results. Methods that mutate are refused as the immutable
 * sandbox refuses them; Python methods this engine lacks are refused by name when called.
 */
final class Methods {
    private static final Set<String> STRING = Set.of("capitalize", "casefold", "center", "count", "endswith", "find",
            "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "islower", "isnumeric", "isspace",
            "istitle", "isupper", "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix",
            "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
            "startswith", "strip", "swapcase", "title", "upper", "zfill");
    private static final Set<String> STRING_UNSUPPORTED = Set.of("encode", "expandtabs", "format", "format_map",
            "isidentifier", "isprintable", "maketrans", "translate");
    private static final Set<String> LIST = Set.of("count", "index", "copy");
    private static final Set<String> LIST_MUTATING = Set.of("append", "clear", "extend", "insert", "pop", "remove",
            "reverse", "sort");
    private static final Set<String> DICT = Set.of("get", "items", "keys", "values", "copy");
    private static final Set<String> DICT_MUTATING = Set.of("clear", "pop", "popitem", "setdefault", "update");

    private Methods() {
    }

    /** The Python attribute {@code name} of {@code obj} when it is a method, {@link Undefined#unsafe}, or MISSING. */
    static Object attribute(Object obj, String name) {
        if (Py.isString(obj)) {
            if (STRING.contains(name)) {
                return bound(obj, name);
            }
            if (STRING_UNSUPPORTED.contains(name)) {
                return unsupported("str." + name + "()");
            }
        } else if (obj instanceof List && !(obj instanceof PyView)) {
            if (LIST.contains(name) && !(obj instanceof PyTuple && name.equals("copy"))) {
                return bound(obj, name);
            }
            if (LIST_MUTATING.contains(name) && !(obj instanceof PyTuple)) {
                return Undefined.unsafe(obj, name);
            }
        } else if (Py.isNumber(obj)) {
            return number(obj, name);
        } else if (obj instanceof Map) {
            if (DICT.contains(name)) {
                return bound(obj, name);
            }
            if (DICT_MUTATING.contains(name)) {
                return Undefined.unsafe(obj, name);
            }
            if (name.equals("fromkeys")) {
                return unsupported("dict.fromkeys()");
            }
        }
        return Py.MISSING;
    }

    /** Attributes of int and float: the common ones, the rest refused by name. */
    private static Object number(Object value, String name) {
        boolean isInt = Py.isInt(value);
        switch (name) {
            case "real", "numerator":
                if (name.equals("numerator") && !isInt) {
                    break;
                }
                return isInt ? Py.asLong(value) : value;
            case "imag":
                return isInt ? (Object) 0L : (Object) 0.0;
            case "denominator":
                return isInt ? 1L : Py.MISSING;
            case "conjugate":
                return Globals.function("conjugate", (r, a, k) -> isInt ? Py.asLong(value) : value);
            case "is_integer":
                if (!isInt) {
                    double d = Py.asDouble(value);
                    return Globals.function("is_integer", (r, a, k) -> !Double.isInfinite(d) && d == Math.rint(d));
                }
                break;
            case "bit_length":
                if (isInt) {
                    long v = Math.abs(Py.asLong(value));
                    return Globals.function("bit_length", (r, a, k) -> (long) (64 - Long.numberOfLeadingZeros(v)));
                }
                break;
            case "as_integer_ratio", "hex", "fromhex", "to_bytes", "from_bytes", "bit_count":
                return unsupported((isInt ? "int." : "float.") + name + "()");
            default:
                break;
        }
        return Py.MISSING;
    }

    private static PyCallable bound(Object receiver, String name) {
        return new PyCallable() {
            @Override
            public Object call(Render render, List<Object> args, Map<String, Object> kwargs) {
                return invoke(render, receiver, name, args, kwargs);
            }

            @Override
            public String name() {
                return Py.typeName(receiver) + "." + name;
            }
        };
    }

    private static PyCallable unsupported(String what) {
        return new PyCallable() {
            @Override
            public Object call(Render render, List<Object> args, Map<String, Object> kwargs) {
                throw TemplateException.unsupported(what);
            }

            @Override
            public String name() {
                return what;
            }
        };
    }

    private static Object invoke(Render render, Object receiver, String name, List<Object> args,
                                 Map<String, Object> kwargs) {
        if (Py.isString(receiver)) {
            return string(render, Py.str(receiver), name, args, kwargs);
        }
        if (receiver instanceof Map<?, ?> map) {
            return dict(map, name, args, kwargs);
        }
        return list((List<?>) receiver, name, args, kwargs);
    }

    private static Object dict(Map<?, ?> map, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "get" -> {
                if (!kwargs.isEmpty()) {
                    throw TemplateException.type("dict.get() takes no keyword arguments");
                }
                Args a = Args.bind("get", args, kwargs, "key", "default");
                Object key = a.required(0);
                Object found = Py.hashable(key) ? Py.findKey(map, key) : Py.MISSING;
                if (!Py.hashable(key)) {
                    throw TemplateException.type("unhashable type: '" + Py.typeName(key) + "'");
                }
                return found == Py.MISSING ? a.get(1, null) : map.get(found);
            }
            case "items" -> {
                Args.bind("items", args, kwargs);
                List<Object> items = new ArrayList<>(map.size());
                map.forEach((k, v) -> items.add(new PyTuple(k, v)));
                return new PyView("dict_items", items);
            }
            case "keys" -> {
                Args.bind("keys", args, kwargs);
                return new PyView("dict_keys", new ArrayList<>(map.keySet()));
            }
            case "values" -> {
                Args.bind("values", args, kwargs);
                return new PyView("dict_values", new ArrayList<>(map.values()));
            }
            default -> {
                Args.bind("copy", args, kwargs);
                return new java.util.LinkedHashMap<Object, Object>(map);
            }
        }
    }

    private static Object list(List<?> list, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "count" -> {
                Object x = Args.bind("count", args, kwargs, "value").required(0);
                return list.stream().filter(o -> Py.eq(o, x)).count();
            }
            case "index" -> {
                if (!kwargs.isEmpty()) {
                    throw TemplateException.type("index() takes no keyword arguments");
                }
                Args a = Args.bind("index", args, kwargs, "value", "start", "stop");
                Object x = a.required(0);
                long[] range = new Py.Slice(a.get(1, null), a.get(2, null), null).indices(list.size());
                for (int i = (int) range[0]; i < range[1]; i++) {
                    if (Py.eq(list.get(i), x)) {
                        return (long) i;
                    }
                }
                throw TemplateException.type(Py.repr(x) + " is not in list");
            }
            default -> {
                Args.bind("copy", args, kwargs);
                return new ArrayList<Object>(list);
            }
        }
    }

    private static Object string(Render render, String s, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "lower" -> {
                Args.bind(name, args, kwargs);
                return lower(s);
            }
            case "upper" -> {
                Args.bind(name, args, kwargs);
                return upper(s);
            }
            case "casefold" -> { // full case folding, approximated by the full upper then lower mappings
                Args.bind(name, args, kwargs);
                return lower(upper(s));
            }
            case "swapcase" -> {
                Args.bind(name, args, kwargs);
                StringBuilder out = new StringBuilder();
                s.codePoints().forEach(c -> out.append(Character.isUpperCase(c) ? lower(new String(Character.toChars(c)))
                        : Character.isLowerCase(c) ? upper(new String(Character.toChars(c))) : new String(Character.toChars(c))));
                return out.toString();
            }
            case "title" -> {
                Args.bind(name, args, kwargs);
                return title(s);
            }
            case "capitalize" -> {
                Args.bind(name, args, kwargs);
                return capitalize(s);
            }
            case "strip", "lstrip", "rstrip" -> {
                String chars = Args.bind(name, args, kwargs, "chars").string(0, null);
                return strip(s, chars, !name.equals("rstrip"), !name.equals("lstrip"));
            }
            case "split", "rsplit" -> {
                Args a = Args.bind(name, args, kwargs, "sep", "maxsplit");
                String sep = a.string(0, null);
                long max = a.integer(1, -1);
                List<Object> parts = new ArrayList<>(name.equals("split") ? split(s, sep, max) : rsplit(s, sep, max));
                return parts;
            }
            case "splitlines" -> {
                boolean keep = Args.bind(name, args, kwargs, "keepends").bool(0, false);
                return new ArrayList<Object>(splitlines(s, keep));
            }
            case "startswith", "endswith" -> {
                Args a = Args.bind(name, args, kwargs, "prefix", "start", "end");
                if (outOfRange(s, a.get(1, null), a.get(2, null))) {
                    return false;
                }
                String window = window(s, a.get(1, null), a.get(2, null));
                Object prefix = a.required(0);
                List<?> options = prefix instanceof PyTuple t ? t : List.of(prefix);
                for (Object option : options) {
                    String p = Py.requireString(option, name + " first arg");
                    if (name.equals("startswith") ? window.startsWith(p) : window.endsWith(p)) {
                        return true;
                    }
                }
                return false;
            }
            case "find", "rfind", "index", "rindex", "count" -> {
                Args a = Args.bind(name, args, kwargs, "sub", "start", "end");
                String sub = Py.requireString(a.required(0), "substring");
                long start = a.has(1) && a.get(1, null) != null ? normalize(Py.requireInt(a.get(1, null), "start"), s) : 0;
                if (outOfRange(s, a.get(1, null), a.get(2, null))) { // Python: nothing is found past the end
                    if (name.endsWith("index")) {
                        throw TemplateException.type("substring not found");
                    }
                    return name.equals("count") ? 0L : -1L;
                }
                String window = window(s, a.get(1, null), a.get(2, null));
                if (name.equals("count")) {
                    return count(window, sub);
                }
                int at = name.startsWith("r") ? window.lastIndexOf(sub) : window.indexOf(sub);
                if (at < 0) {
                    if (name.endsWith("index")) {
                        throw TemplateException.type("substring not found");
                    }
                    return -1L;
                }
                return start + window.codePointCount(0, at);
            }
            case "replace" -> {
                Args a = Args.bind(name, args, kwargs, "old", "new", "count");
                return replace(render, s, Py.requireString(a.required(0), "old"), Py.requireString(a.required(1), "new"),
                        a.integer(2, -1));
            }
            case "join" -> {
                List<?> items = Py.iterate(Args.bind(name, args, kwargs, "iterable").required(0));
                StringBuilder out = new StringBuilder();
                for (int i = 0; i < items.size(); i++) {
                    Object item = items.get(i);
                    if (!Py.isString(item)) {
                        throw TemplateException.type("sequence item " + i + ": expected str instance, "
                                + Py.typeName(item) + " found");
                    }
                    if (i > 0) {
                        out.append(s);
                    }
                    out.append(Py.str(item));
                    render.checkSize(out.length());
                }
                return out.toString();
            }
            case "center", "ljust", "rjust" -> {
                Args a = Args.bind(name, args, kwargs, "width", "fillchar");
                long width = a.integer(0, 0);
                String fill = a.string(1, " ");
                render.checkSize(width);
                return justify(s, (int) width, fill, name);
            }
            case "zfill" -> {
                long width = Args.bind(name, args, kwargs, "width").integer(0, 0);
                render.checkSize(width);
                int length = s.codePointCount(0, s.length());
                if (width <= length) {
                    return s;
                }
                int signLength = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
                return s.substring(0, signLength) + "0".repeat((int) width - length) + s.substring(signLength);
            }
            case "partition", "rpartition" -> {
                String sep = Py.requireString(Args.bind(name, args, kwargs, "sep").required(0), "sep");
                if (sep.isEmpty()) {
                    throw TemplateException.type("empty separator");
                }
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    return name.equals("partition") ? new PyTuple(s, "", "") : new PyTuple("", "", s);
                }
                return new PyTuple(s.substring(0, at), sep, s.substring(at + sep.length()));
            }
            case "removeprefix" -> {
                String p = Py.requireString(Args.bind(name, args, kwargs, "prefix").required(0), "prefix");
                return s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = Py.requireString(Args.bind(name, args, kwargs, "suffix").required(0), "suffix");
                return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            default -> {
                Args.bind(name, args, kwargs);
                return predicate(s, name);
            }
        }
    }

    private static boolean predicate(String s, String name) {
        if (s.isEmpty()) {
            return false;
        }
        int[] cps = s.codePoints().toArray();
        switch (name) {
            case "isalnum":
                return java.util.Arrays.stream(cps).allMatch(c -> Character.isLetterOrDigit(c) || isNumeric(c));
            case "isalpha":
                return java.util.Arrays.stream(cps).allMatch(Character::isLetter);
            case "isascii":
                return java.util.Arrays.stream(cps).allMatch(c -> c < 128);
            case "isdecimal":
                return java.util.Arrays.stream(cps).allMatch(Character::isDigit);
            case "isdigit": // decimal digits and other digits such as superscripts (Numeric_Type=Digit)
                return java.util.Arrays.stream(cps).allMatch(c -> Character.isDigit(c)
                        || Character.getType(c) == Character.OTHER_NUMBER && Character.getNumericValue(c) >= 0
                        && Character.getNumericValue(c) <= 9);
            case "isnumeric":
                if (java.util.Arrays.stream(cps).anyMatch(Character::isIdeographic)) {
                    // Python counts CJK numerals (Unihan numeric values), which the JDK does not have
                    throw TemplateException.unsupported("str.isnumeric() on CJK ideographs");
                }
                return java.util.Arrays.stream(cps).allMatch(Methods::isNumeric);
            case "isspace":
                return java.util.Arrays.stream(cps).allMatch(Py::isSpace);
            case "islower":
            case "isupper": {
                boolean cased = false;
                for (int c : cps) {
                    if (name.equals("islower") ? Character.isUpperCase(c) || Character.isTitleCase(c)
                            : Character.isLowerCase(c) || Character.isTitleCase(c)) {
                        return false;
                    }
                    cased |= Character.isUpperCase(c) || Character.isLowerCase(c);
                }
                return cased;
            }
            default: // istitle
                return title(s).equals(s) && cps.length > 0 && java.util.Arrays.stream(cps).anyMatch(Methods::isCased);
        }
    }

    static boolean isNumericChar(int c) {
        return isNumeric(c);
    }

    private static boolean isNumeric(int c) {
        int type = Character.getType(c);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    private static boolean isCased(int c) {
        return Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }

    static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    static String upper(String s) {
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    /** Python's str.title(): a cased character after an uncased one starts a word. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (isCased(c)) {
                out.append(previousCased ? lower(new String(Character.toChars(c))) : titleCase(c));
                previousCased = true;
            } else {
                out.appendCodePoint(c);
                previousCased = false;
            }
        }
        return out.toString();
    }

    /** Python's str.capitalize(): the first character in title case, the rest lower case. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int n = Character.charCount(first);
        return titleCase(first) + lower(s.substring(n));
    }

    /**
     * The full title-case mapping of one character (Unicode SpecialCasing, as Python uses): ß → Ss,
     * ﬁ → Fi, ǆ → ǅ. Java's Character.toTitleCase has only the one-character mappings.
     */
    static String titleCase(int c) {
        int simple = Character.toTitleCase(c);
        if (simple != c) {
            return new String(Character.toChars(simple));
        }
        String upper = upper(new String(Character.toChars(c)));
        if (upper.codePointCount(0, upper.length()) > 1) {
            int head = upper.codePointAt(0);
            return new String(Character.toChars(head)) + lower(upper.substring(Character.charCount(head)));
        }
        return new String(Character.toChars(simple));
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripped(s.codePointAt(start), chars)) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (right && end > start && stripped(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int c, String chars) {
        return chars == null ? Py.isSpace(c) : chars.indexOf(c) >= 0;
    }

    static List<String> split(String s, String sep, long max) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && Py.isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (max >= 0 && parts.size() == max) {
                    parts.add(s.substring(i)); // Python keeps the remainder's trailing whitespace
                    break;
                }
                int j = i;
                while (j < n && !Py.isSpace(s.charAt(j))) {
                    j++;
                }
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw TemplateException.type("empty separator");
        }
        int from = 0;
        while (max < 0 || parts.size() < max) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    static List<String> rsplit(String s, String sep, long max) {
        if (max < 0 && sep == null) {
            return split(s, null, max); // whitespace runs split the same from either end
        }
        if (max < 0) {
            max = Long.MAX_VALUE;
        }
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && Py.isSpace(s.charAt(j - 1))) {
                    j--;
                }
                if (j <= 0) {
                    break;
                }
                if (parts.size() == max) {
                    parts.add(0, s.substring(0, j));
                    break;
                }
                int i = j;
                while (i > 0 && !Py.isSpace(s.charAt(i - 1))) {
                    i--;
                }
                parts.add(0, s.substring(i, j));
                j = i;
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw TemplateException.type("empty separator");
        }
        int to = s.length();
        while (parts.size() < max && to >= sep.length()) {
            int at = s.lastIndexOf(sep, to - sep.length());
            if (at < 0) {
                break;
            }
            parts.add(0, s.substring(at + sep.length(), to));
            to = at;
        }
        parts.add(0, s.substring(0, to));
        return parts;
    }

    /** Python's str.splitlines: every line boundary Python knows, \r\n as one. */
    static List<String> splitlines(String s, boolean keepEnds) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int breakLength = 0;
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                breakLength = 2;
            } else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                    || c == 0x85 || c == 0x2028 || c == 0x2029) {
                breakLength = 1;
            }
            if (breakLength > 0) {
                lines.add(s.substring(start, keepEnds ? i + breakLength : i));
                i += breakLength;
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    /** Whether [start:end] begins past the end of s or ends before it starts (then even '' is not found). */
    private static boolean outOfRange(String s, Object start, Object end) {
        long n = s.codePointCount(0, s.length());
        long from = start == null ? 0 : normalize(Py.requireInt(start, "start"), s);
        long to = end == null ? n : normalize(Py.requireInt(end, "end"), s);
        return Py.requireInt(start == null ? 0L : start, "start") > n || to < from;
    }

    private static long normalize(long index, String s) {
        long n = s.codePointCount(0, s.length());
        return index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    }

    /** s[start:end] by code points, for the optional range arguments of find, count, startswith. */
    private static String window(String s, Object start, Object end) {
        if (start == null && end == null) {
            return s;
        }
        return (String) Py.slice(s, new Py.Slice(start, end, null));
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    static String replace(Render render, String s, String old, String replacement, long count) {
        if (count == 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        long done = 0;
        if (old.isEmpty()) {
            List<String> chars = Py.characters(s);
            for (String c : chars) {
                if (count < 0 || done < count) {
                    out.append(replacement);
                    done++;
                }
                out.append(c);
                render.checkSize(out.length());
            }
            if (count < 0 || done < count) {
                out.append(replacement);
            }
            return out.toString();
        }
        int from = 0;
        for (int at = s.indexOf(old); at >= 0 && (count < 0 || done < count); at = s.indexOf(old, from)) {
            out.append(s, from, at).append(replacement);
            render.checkSize(out.length());
            from = at + old.length();
            done++;
        }
        return out.append(s.substring(from)).toString();
    }

    private static String justify(String s, int width, String fill, String how) {
        if (fill.codePointCount(0, fill.length()) != 1) {
            throw TemplateException.type("The fill character must be exactly one character long");
        }
        int length = s.codePointCount(0, s.length());
        if (width <= length) {
            return s;
        }
        int margin = width - length;
        return switch (how) {
            case "ljust" -> s + fill.repeat(margin);
            case "rjust" -> fill.repeat(margin) + s;
            default -> {
                int left = margin / 2 + (margin & width & 1);
                yield fill.repeat(left) + s + fill.repeat(margin - left);
            }
        };
    }
}
