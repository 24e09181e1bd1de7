package io.tuneloop.jinja;

/**
 * jinja2's default {@code Undefined}: prints as the empty string, is falsy, iterates as nothing and
 * has length 0, but any other use (an attribute, an item, a call, arithmetic) fails with the reason
 * it is undefined. A sandbox refusal is an undefined too, whose use fails as a security error.
 */
public final class Undefined {
    private final String reason;
    private final TemplateException.Kind kind;

    private Undefined(String reason, TemplateException.Kind kind) {
        this.reason = reason;
        this.kind = kind;
    }

    static Undefined named(String name) {
        return new Undefined("'" + name + "' is undefined", TemplateException.Kind.UNDEFINED);
    }

    static Undefined missingAttribute(Object owner, Object key) {
        String what = key instanceof String ? "attribute " + Py.repr(key) : "element " + Py.repr(key);
        return new Undefined("'" + Py.typeName(owner) + " object' has no " + what, TemplateException.Kind.UNDEFINED);
    }

    static Undefined because(String reason) {
        return new Undefined(reason, TemplateException.Kind.UNDEFINED);
    }

    static Undefined unsafe(Object owner, String attribute) {
        return new Undefined("access to attribute '" + attribute + "' of '" + Py.typeName(owner)
                + "' object is unsafe.", TemplateException.Kind.SECURITY);
    }

    /** The error for using this value where a value is needed. */
    TemplateException fail() {
        return new TemplateException(kind, reason);
    }

    @Override
    public String toString() {
        return "";
    }
}
