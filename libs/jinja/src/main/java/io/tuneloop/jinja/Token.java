package io.tuneloop.jinja;

/** One lexical token of a template; {@code value} is the text (names, operators) or the literal (strings, numbers). */
record Token(Type type, Object value, int line) {
    enum Type { DATA, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

    boolean is(Type t) {
        return type == t;
    }

    /** An operator token with this text. */
    boolean isOperator(String op) {
        return type == Type.OPERATOR && value.equals(op);
    }

    /** A name token with this text (keywords such as {@code if}, {@code in}, {@code not} are names). */
    boolean isName(String name) {
        return type == Type.NAME && value.equals(name);
    }

    String describe() {
        return switch (type) {
            case EOF -> "end of template";
            case DATA -> "template data";
            case VARIABLE_BEGIN -> "begin of print statement";
            case VARIABLE_END -> "end of print statement";
            case BLOCK_BEGIN -> "begin of statement block";
            case BLOCK_END -> "end of statement block";
            default -> String.valueOf(value);
        };
    }
}
