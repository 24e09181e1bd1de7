package io.tuneloop.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits template source into tokens exactly as jinja2's lexer does, including its whitespace
 * control: {@code -} on any tag strips the whitespace next to it, {@code +} turns off
 * lstrip_blocks / trim_blocks for one tag, trim_blocks drops the first newline after a block or
 * comment tag, lstrip_blocks drops the indentation before one, and one trailing newline of the
 * source is dropped unless keep_trailing_newline is set.
 */
final class Lexer {
    private static final String[] OPERATORS = {"**", "//", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
            "]", "(", ")", "{", "}", "=", "<", ">", ".", ":", "|", ",", ";"};

    private final String source;
    private final boolean trimBlocks;
    private final boolean lstripBlocks;
    private final List<Token> tokens = new ArrayList<>();
    private final int[] lineStarts;
    private int pos;
    /** Whether the text matched last ended with a newline (jinja2's line_starting). */
    private boolean lineStarting = true;

    private Lexer(String source, boolean trimBlocks, boolean lstripBlocks) {
        this.source = source;
        this.trimBlocks = trimBlocks;
        this.lstripBlocks = lstripBlocks;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The 1-based line of a source offset. */
    private int lineAt(int offset) {
        int i = java.util.Arrays.binarySearch(lineStarts, offset);
        return i >= 0 ? i + 1 : -i - 1;
    }

    static List<Token> tokenize(String source, boolean trimBlocks, boolean lstripBlocks, boolean keepTrailingNewline) {
        String normalized = source.replace("\r\n", "\n").replace('\r', '\n');
        if (!keepTrailingNewline && normalized.endsWith("\n")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        Lexer lexer = new Lexer(normalized, trimBlocks, lstripBlocks);
        lexer.root();
        lexer.tokens.add(new Token(Token.Type.EOF, null, lexer.lineAt(lexer.pos)));
        return lexer.tokens;
    }

    private TemplateException error(String message) {
        return new TemplateException(TemplateException.Kind.SYNTAX, message, lineAt(pos));
    }

    private void root() {
        while (pos < source.length()) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                emitData(pos, source.substring(pos));
                pos = source.length();
                return;
            }
            char kind = source.charAt(tag + 1); // '{', '%' or '#'
            char sign = tag + 2 < source.length() ? source.charAt(tag + 2) : 0;
            boolean hasSign = sign == '-' || sign == '+';
            int rawEnd = kind == '%' ? rawBeginEnd(tag) : -1;
            String text = source.substring(pos, tag);
            text = controlWhitespace(text, hasSign ? sign : 0, kind == '{');
            emitData(pos, text);
            int afterOpen = tag + 2 + (hasSign ? 1 : 0);
            if (rawEnd >= 0) {
                lineStarting = source.charAt(rawEnd - 1) == '\n';
                pos = rawEnd;
                raw();
                continue;
            }
            lineStarting = false;
            pos = afterOpen;
            switch (kind) {
                case '#' -> comment();
                case '%' -> {
                    tokens.add(new Token(Token.Type.BLOCK_BEGIN, null, lineAt(tag)));
                    inside(false);
                }
                default -> {
                    tokens.add(new Token(Token.Type.VARIABLE_BEGIN, null, lineAt(tag)));
                    inside(true);
                }
            }
        }
    }

    /** The earliest {@code {{}, {@code {%} or {@code {#} at or after {@code from}. */
    private int nextTagStart(int from) {
        for (int i = source.indexOf('{', from); i >= 0 && i + 1 < source.length(); i = source.indexOf('{', i + 1)) {
            char next = source.charAt(i + 1);
            if (next == '{' || next == '%' || next == '#') {
                return i;
            }
        }
        return -1;
    }

    /** Applies a tag's whitespace control to the text before it (jinja2's OptionalLStrip). */
    private String controlWhitespace(String text, char sign, boolean variable) {
        if (sign == '-') {
            return Py.rstrip(text);
        }
        if (sign != '+' && lstripBlocks && !variable) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length() && allSpace(text, lineStart)) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    private void emitData(int offset, String text) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Token.Type.DATA, text, lineAt(offset)));
        }
    }

    /** End of a {@code {% raw %}} opening tag starting at {@code tag}, or -1 when it is not one. */
    private int rawBeginEnd(int tag) {
        int i = tag + 2;
        if (i < source.length() && (source.charAt(i) == '-' || source.charAt(i) == '+')) {
            i++;
        }
        i = skipSpace(i);
        if (!source.startsWith("raw", i)) {
            return -1;
        }
        i = skipSpace(i + 3);
        if (source.startsWith("-%}", i)) {
            return skipSpace(i + 3);
        }
        if (source.startsWith("%}", i)) {
            return i + 2;
        }
        return -1;
    }

    private void raw() {
        int search = pos;
        while (true) {
            int tag = source.indexOf("{%", search);
            if (tag < 0) {
                throw error("Missing end of raw directive");
            }
            int i = tag + 2;
            char sign = 0;
            if (i < source.length() && (source.charAt(i) == '-' || source.charAt(i) == '+')) {
                sign = source.charAt(i);
                i++;
            }
            i = skipSpace(i);
            if (source.startsWith("endraw", i)) {
                int end = blockEnd(skipSpace(i + 6));
                if (end >= 0) {
                    emitData(pos, controlWhitespace(source.substring(pos, tag), sign, false));
                    lineStarting = source.charAt(end - 1) == '\n';
                    pos = end;
                    return;
                }
            }
            search = tag + 2;
        }
    }

    /** The end of a block-closing tag at {@code i} ({@code +%}}, {@code -%}} plus whitespace, {@code %}} plus a trimmed newline), or -1. */
    private int blockEnd(int i) {
        if (source.startsWith("+%}", i)) {
            return i + 3;
        }
        if (source.startsWith("-%}", i)) {
            return skipSpace(i + 3);
        }
        if (source.startsWith("%}", i)) {
            int end = i + 2;
            return trimBlocks && end < source.length() && source.charAt(end) == '\n' ? end + 1 : end;
        }
        return -1;
    }

    private void comment() {
        int close = source.indexOf("#}", pos);
        if (close < 0) {
            throw error("Missing end of comment tag");
        }
        char sign = close - 1 >= pos ? source.charAt(close - 1) : 0;
        int end = close + 2;
        if (sign == '-') {
            end = skipSpace(end);
        } else if (sign != '+' && trimBlocks && end < source.length() && source.charAt(end) == '\n') {
            end++;
        }
        lineStarting = source.charAt(end - 1) == '\n';
        pos = end;
    }

    /** Tokens of an expression or statement, up to its closing tag (which only counts when brackets balance). */
    private void inside(boolean variable) {
        List<Character> balance = new ArrayList<>();
        while (true) {
            if (pos >= source.length()) {
                throw error("unexpected end of template, expected '" + (variable ? "end of print statement"
                        : "end of statement block") + "'");
            }
            if (balance.isEmpty()) {
                int end = variable ? variableEnd(pos) : blockEnd(pos);
                if (end >= 0) {
                    tokens.add(new Token(variable ? Token.Type.VARIABLE_END : Token.Type.BLOCK_END, null, lineAt(pos)));
                    lineStarting = source.charAt(end - 1) == '\n';
                    pos = end;
                    return;
                }
            }
            char c = source.charAt(pos);
            if (Py.isSpace(c)) {
                int end = skipSpace(pos);
                lineStarting = source.charAt(end - 1) == '\n';
                pos = end;
                continue;
            }
            lineStarting = false;
            if (number()) {
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int end = pos + 1;
                while (end < source.length() && (Character.isLetterOrDigit(source.charAt(end)) || source.charAt(end) == '_')) {
                    end++;
                }
                tokens.add(new Token(Token.Type.NAME, source.substring(pos, end), lineAt(pos)));
                pos = end;
                continue;
            }
            if (c == '\'' || c == '"') {
                string(c);
                continue;
            }
            String op = operator();
            if (op == null) {
                throw error("unexpected char " + Py.repr(String.valueOf(c)) + " at " + pos);
            }
            switch (op) {
                case "{" -> balance.add('}');
                case "(" -> balance.add(')');
                case "[" -> balance.add(']');
                case "}", ")", "]" -> {
                    if (balance.isEmpty()) {
                        throw error("unexpected '" + op + "'");
                    }
                    char expected = balance.remove(balance.size() - 1);
                    if (expected != op.charAt(0)) {
                        throw error("unexpected '" + op + "', expected '" + expected + "'");
                    }
                }
                default -> {
                }
            }
            tokens.add(new Token(Token.Type.OPERATOR, op, lineAt(pos)));
            pos += op.length();
        }
    }

    private int variableEnd(int i) {
        if (source.startsWith("-}}", i)) {
            return skipSpace(i + 3);
        }
        return source.startsWith("}}", i) ? i + 2 : -1;
    }

    private String operator() {
        for (String op : OPERATORS) {
            if (source.startsWith(op, pos)) {
                return op;
            }
        }
        return null;
    }

    /** A float or integer literal at pos, as jinja2's float_re (tried first) and integer_re read them. */
    private boolean number() {
        if (!Character.isDigit(source.charAt(pos))) {
            return false;
        }
        int line = lineAt(pos);
        boolean afterDot = pos > 0 && source.charAt(pos - 1) == '.'; // float_re's (?<!\.)
        int digitsEnd = digits(pos);
        int i = digitsEnd;
        boolean isFloat = false;
        if (i < source.length() && source.charAt(i) == '.' && i + 1 < source.length() && Character.isDigit(source.charAt(i + 1))) {
            i = digits(i + 1);
            isFloat = true;
        }
        if (i < source.length() && (source.charAt(i) == 'e' || source.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < source.length() && (source.charAt(j) == '+' || source.charAt(j) == '-')) {
                j++;
            }
            if (j < source.length() && Character.isDigit(source.charAt(j))) {
                i = digits(j);
                isFloat = true;
            }
        }
        if (isFloat && !afterDot) {
            tokens.add(new Token(Token.Type.FLOAT, Double.parseDouble(source.substring(pos, i).replace("_", "")), line));
            pos = i;
            return true;
        }
        String prefix = source.substring(pos, Math.min(pos + 2, source.length())).toLowerCase(java.util.Locale.ROOT);
        int radix = prefix.equals("0b") ? 2 : prefix.equals("0o") ? 8 : prefix.equals("0x") ? 16 : 10;
        if (radix != 10) {
            int j = pos + 2;
            while (j < source.length() && (Character.digit(source.charAt(j), radix) >= 0
                    || source.charAt(j) == '_' && j + 1 < source.length() && Character.digit(source.charAt(j + 1), radix) >= 0)) {
                j++;
            }
            if (j > pos + 2) {
                tokens.add(new Token(Token.Type.INTEGER, parseLong(source.substring(pos + 2, j).replace("_", ""), radix, line), line));
                pos = j;
                return true;
            }
        }
        if (source.charAt(pos) == '0') { // 0(_?0)*: "0123" is two tokens, as in jinja2
            int j = pos + 1;
            while (j < source.length() && (source.charAt(j) == '0'
                    || source.charAt(j) == '_' && j + 1 < source.length() && source.charAt(j + 1) == '0')) {
                j++;
            }
            tokens.add(new Token(Token.Type.INTEGER, 0L, line));
            pos = j;
            return true;
        }
        tokens.add(new Token(Token.Type.INTEGER, parseLong(source.substring(pos, digitsEnd).replace("_", ""), 10, line), line));
        pos = digitsEnd;
        return true;
    }

    private static long parseLong(String digits, int radix, int line) {
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new TemplateException(TemplateException.Kind.UNSUPPORTED,
                    "the integer literal " + digits + " is beyond 64 bits, which tuneloop's Jinja engine does not support", line);
        }
    }

    /** Digits with single underscores between them, from i. */
    private int digits(int i) {
        while (i < source.length() && (Character.isDigit(source.charAt(i))
                || source.charAt(i) == '_' && i + 1 < source.length() && Character.isDigit(source.charAt(i + 1))
                && i > 0 && Character.isDigit(source.charAt(i - 1)))) {
            i++;
        }
        return i;
    }

    /** A quoted string literal, unescaped as Python's unicode-escape codec does after backslashreplace. */
    private void string(char quote) {
        int i = pos + 1;
        while (i < source.length() && source.charAt(i) != quote) {
            if (source.charAt(i) == '\\') {
                i++;
            }
            i++;
        }
        if (i >= source.length()) {
            throw error("unexpected char " + Py.repr(String.valueOf(quote)) + " at " + pos);
        }
        String body = source.substring(pos + 1, i);
        tokens.add(new Token(Token.Type.STRING, unescape(body), lineAt(pos)));
        pos = i + 1;
    }

    private String unescape(String body) {
        // backslashreplace first: a non-ASCII character becomes an escape of itself, so "\é" decodes as Python does
        StringBuilder ascii = new StringBuilder(body.length());
        body.codePoints().forEach(c -> {
            if (c < 128) {
                ascii.append((char) c);
            } else {
                Py.appendEscape(c, ascii);
            }
        });
        String s = ascii.toString();
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                if (c == '\\') {
                    throw error("\\ at end of string");
                }
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\n' -> { }
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    String hex = s.substring(i + 1, Math.min(s.length(), i + 1 + n));
                    if (hex.length() < n || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        throw error("truncated \\" + e + " escape");
                    }
                    int code = Integer.parseUnsignedInt(hex, 16);
                    if (code > 0x10ffff) {
                        throw error("illegal Unicode character");
                    }
                    out.appendCodePoint(code);
                    i += n;
                }
                case 'N' -> {
                    int close = s.indexOf('}', i);
                    if (i + 1 >= s.length() || s.charAt(i + 1) != '{' || close < 0) {
                        throw error("malformed \\N character escape");
                    }
                    try {
                        out.appendCodePoint(Character.codePointOf(s.substring(i + 2, close)));
                    } catch (IllegalArgumentException unknown) {
                        throw error("unknown Unicode character name");
                    }
                    i = close;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        out.appendCodePoint(Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        out.append('\\').append(e); // Python keeps unknown escapes
                    }
                }
            }
        }
        return out.toString();
    }

    private int skipSpace(int i) {
        while (i < source.length() && Py.isSpace(source.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean allSpace(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (!Py.isSpace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
