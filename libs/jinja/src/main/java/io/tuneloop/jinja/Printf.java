package io.tuneloop.jinja;

import java.util.List;
import java.util.Map;

/**
 * Python's printf-style {@code str % args} (also the {@code format} filter): conversions s, r, d, i,
 * f, e, x, o, c and %, with flags, width and precision. Others are refused by name.
 */
final class Printf {
    private Printf() {
    }

    static String format(String template, Object args) {
        List<?> positional = args instanceof PyTuple t ? t : null;
        Map<?, ?> mapping = args instanceof Map<?, ?> m ? m : null;
        int next = 0;
        boolean single = positional == null && mapping == null;
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            if (i >= template.length()) {
                throw TemplateException.type("incomplete format");
            }
            Object value = null;
            boolean named = false;
            if (template.charAt(i) == '(') {
                int close = template.indexOf(')', i);
                if (close < 0 || mapping == null) {
                    throw TemplateException.type(close < 0 ? "incomplete format key" : "format requires a mapping");
                }
                String key = template.substring(i + 1, close);
                if (!mapping.containsKey(key)) {
                    throw TemplateException.type("KeyError: " + Py.repr(key));
                }
                value = mapping.get(key);
                named = true;
                i = close + 1;
            }
            StringBuilder flags = new StringBuilder();
            while (i < template.length() && "-+ 0#".indexOf(template.charAt(i)) >= 0) {
                flags.append(template.charAt(i++));
            }
            int width = -1;
            int start = i;
            while (i < template.length() && Character.isDigit(template.charAt(i))) {
                i++;
            }
            if (i > start) {
                width = Integer.parseInt(template.substring(start, i));
            }
            int precision = -1;
            if (i < template.length() && template.charAt(i) == '.') {
                i++;
                start = i;
                while (i < template.length() && Character.isDigit(template.charAt(i))) {
                    i++;
                }
                precision = i > start ? Integer.parseInt(template.substring(start, i)) : 0;
            }
            if (i >= template.length()) {
                throw TemplateException.type("incomplete format");
            }
            char conversion = template.charAt(i++);
            if (conversion == '%') {
                out.append('%');
                continue;
            }
            if (!named) {
                if (single) {
                    if (next > 0) {
                        throw TemplateException.type("not enough arguments for format string");
                    }
                    value = args;
                    next++;
                } else if (positional != null) {
                    if (next >= positional.size()) {
                        throw TemplateException.type("not enough arguments for format string");
                    }
                    value = positional.get(next++);
                } else {
                    throw TemplateException.type("format requires a mapping");
                }
            }
            out.append(pad(convert(conversion, value, flags.toString(), precision), flags.toString(), width,
                    "dfeixo".indexOf(conversion) >= 0));
        }
        if (positional != null && next < positional.size() || single && next == 0 && !(args instanceof Map)) {
            throw TemplateException.type("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static String convert(char conversion, Object value, String flags, int precision) {
        Py.undefinedCheck(value);
        switch (conversion) {
            case 's', 'r' -> {
                String s = conversion == 's' ? Py.str(value) : Py.repr(value);
                return precision >= 0 && precision < s.length() ? s.substring(0, precision) : s;
            }
            case 'd', 'i', 'x', 'o' -> {
                if (!Py.isNumber(value)) {
                    throw TemplateException.type("%" + conversion + " format: a real number is required, not "
                            + Py.typeName(value));
                }
                long n = Py.isInt(value) ? Py.asLong(value) : (long) Py.asDouble(value);
                String digits = switch (conversion) {
                    case 'x' -> Long.toHexString(Math.abs(n));
                    case 'o' -> Long.toOctalString(Math.abs(n));
                    default -> Long.toString(Math.abs(n));
                };
                if (flags.contains("#") && conversion != 'd' && conversion != 'i') {
                    digits = (conversion == 'x' ? "0x" : "0o") + digits;
                }
                return sign(n < 0, flags) + digits;
            }
            case 'f', 'e' -> {
                if (!Py.isNumber(value)) {
                    throw TemplateException.type("must be real number, not " + Py.typeName(value));
                }
                double d = Py.asDouble(value);
                String body = String.format(java.util.Locale.ROOT, "%." + (precision < 0 ? 6 : precision) + conversion,
                        Math.abs(d));
                return sign(d < 0 || d == 0 && 1 / d < 0, flags) + body;
            }
            case 'c' -> {
                if (Py.isInt(value)) {
                    return new String(Character.toChars((int) Py.asLong(value)));
                }
                String s = Py.str(value);
                if (s.codePointCount(0, s.length()) != 1) {
                    throw TemplateException.type("%c requires int or char");
                }
                return s;
            }
            default -> throw TemplateException.unsupported("the printf conversion %" + conversion);
        }
    }

    private static String sign(boolean negative, String flags) {
        return negative ? "-" : flags.contains("+") ? "+" : flags.contains(" ") ? " " : "";
    }

    private static String pad(String s, String flags, int width, boolean numeric) {
        if (width <= s.length()) {
            return s;
        }
        int fill = width - s.length();
        if (flags.contains("-")) {
            return s + " ".repeat(fill);
        }
        if (flags.contains("0") && numeric) {
            int signLength = !s.isEmpty() && "+- ".indexOf(s.charAt(0)) >= 0 ? 1 : 0;
            return s.substring(0, signLength) + "0".repeat(fill) + s.substring(signLength);
        }
        return " ".repeat(fill) + s;
    }
}
