package io.tuneloop.jinja;

/**
 * A template that cannot be compiled or rendered. The kind says why, so callers can count refusals
 * by cause; the message names the construct and the template line, as Python's jinja2 would.
 */
public final class TemplateException extends RuntimeException {
    /** Why a template failed. */
    public enum Kind {
        /** The source is not valid Jinja (jinja2's TemplateSyntaxError). */
        SYNTAX,
        /** An undefined value was used in a way that needs a value (jinja2's UndefinedError). */
        UNDEFINED,
        /** An operation on values of the wrong type (Python's TypeError, ValueError, KeyError ...). */
        TYPE,
        /** Access the sandbox forbids: private attributes, mutating methods (jinja2's SecurityError). */
        SECURITY,
        /** Valid Jinja this engine does not implement: refused by name rather than rendered differently. */
        UNSUPPORTED,
        /** The render exceeded its output, iteration or time budget. */
        LIMIT,
        /** The template itself refused the input (Hugging Face's raise_exception). */
        RAISED
    }

    private final Kind kind;
    private final int line;

    public TemplateException(Kind kind, String message, int line) {
        super(message);
        this.kind = kind;
        this.line = line;
    }

    public TemplateException(Kind kind, String message) {
        this(kind, message, 0);
    }

    public Kind kind() {
        return kind;
    }

    /** The template line the failure is attributed to (1-based), or 0 when unknown. */
    public int line() {
        return line;
    }

    /** The same failure attributed to {@code line}, unless it already has a line. */
    TemplateException at(int line) {
        return this.line != 0 || line == 0 ? this : new TemplateException(kind, getMessage(), line);
    }

    @Override
    public String getMessage() {
        return line == 0 ? super.getMessage() : super.getMessage() + " (line " + line + ")";
    }

    /** The message without the line suffix. */
    public String reason() {
        return super.getMessage();
    }

    static TemplateException type(String message) {
        return new TemplateException(Kind.TYPE, message);
    }

    static TemplateException unsupported(String message) {
        return new TemplateException(Kind.UNSUPPORTED, message + " is not supported by tuneloop's Jinja engine");
    }
}
