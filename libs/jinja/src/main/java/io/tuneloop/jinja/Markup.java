package io.tuneloop.jinja;

/**
 * Text marked safe ({@code |safe}, {@code |escape}, a macro's output): concatenating it with a plain
 * string with {@code +} escapes the plain string, as markupsafe does.
 */
final class Markup {
    final String text;

    Markup(String text) {
        this.text = text;
    }

    static Markup escape(Object value) {
        if (value instanceof Markup m) {
            return m;
        }
        String s = Py.str(value);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return new Markup(out.toString());
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Markup m && m.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
