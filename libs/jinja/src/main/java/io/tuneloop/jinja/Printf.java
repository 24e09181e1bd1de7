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
        // a dict is the mapping only when the template names keys; otherwise it is the one value
        Map<?, ?> mapping = args instanceof Map<?, ?> m && template.contains("%(") ? m : null;
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
                width = bounded(template.substring(start, i));
            }
            int precision = -1;
            if (i < template.length() && template.charAt(i) == '.') {
                i++;
                start = i;
                while (i < template.length() && Character.isDigit(template.charAt(i))) {
                    i++;
                }
                precision = i > start ? bounded(template.substring(start, i)) : 0;
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
        if (positional != null && next < positional.size()
                || single && next == 0 && !(args instanceof Map) && !(args instanceof List && !(args instanceof PyTuple))) {
            throw TemplateException.type("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    /** A width or precision, refused beyond the budget instead of allocating it. */
    private static int bounded(String digits) {
        if (digits.length() > 6 || Integer.parseInt(digits) > Json.MAX_INDENT) {
            throw new TemplateException(TemplateException.Kind.LIMIT, "a format width or precision of " + digits
                    + " is beyond the budget of " + Json.MAX_INDENT);
        }
        return Integer.parseInt(digits);
    }

    private static String convert(char conversion, Object value, String flags, int precision) {
        switch (conversion) {
            case 's', 'r' -> { // str() and repr() of an undefined are "" and "Undefined", no error
                String s = conversion == 's' ? Py.str(value) : Py.repr(value);
                return precision >= 0 && precision < s.length() ? s.substring(0, precision) : s;
            }
            default -> Py.undefinedCheck(value);
        }
        switch (conversion) {
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
                if (precision > digits.length()) { // a precision on an integer is its minimum number of digits
                    digits = "0".repeat(precision - digits.length()) + digits;
                }
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
                boolean negative = d < 0 || d == 0 && 1 / d < 0;
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return (Double.isNaN(d) ? "" : sign(negative, flags)) + (Double.isNaN(d) ? "nan" : "inf");
                }
                int digits = precision < 0 ? 6 : precision;
                // Python rounds the exact binary value half to even; Java's Formatter rounds half up
                java.math.BigDecimal exact = new java.math.BigDecimal(Math.abs(d));
                String body;
                if (conversion == 'f') {
                    body = exact.setScale(digits, java.math.RoundingMode.HALF_EVEN).toPlainString();
                } else if (exact.signum() == 0) {
                    body = (digits == 0 ? "0" : "0." + "0".repeat(digits)) + "e+00";
                } else {
                    java.math.BigDecimal rounded = exact.round(new java.math.MathContext(digits + 1, java.math.RoundingMode.HALF_EVEN));
                    int exponent = rounded.precision() - rounded.scale() - 1;
                    String unscaled = rounded.unscaledValue().toString();
                    unscaled = (unscaled + "0".repeat(Math.max(0, digits + 1 - unscaled.length()))).substring(0, digits + 1);
                    body = unscaled.charAt(0) + (digits > 0 ? "." + unscaled.substring(1) : "") + "e"
                            + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
                }
                return sign(negative, flags) + body;
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
