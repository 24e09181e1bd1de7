package io.tuneloop.formatter.template;

/**
 * One phrasing of a task: promptsource-style Jinja, {@code "<prompt> ||| <response>"}.
 *
 * @param id       unique across the library; recorded with every example rendered with it
 * @param family   the task family it belongs to
 * @param inverted whether it inverts the task (e.g. answer → question), as FLAN mixes in
 * @param jinja    the template text
 */
public record TaskTemplate(String id, String family, boolean inverted, String jinja) {
    public static final String SEPARATOR = "|||";

    public TaskTemplate {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,80}")) {
            throw new IllegalArgumentException("template id must be 1-81 characters of letters, digits, '.', '_', '-'; was " + id);
        }
        if (jinja == null || jinja.indexOf(SEPARATOR) < 0 || jinja.indexOf(SEPARATOR) != jinja.lastIndexOf(SEPARATOR)) {
            throw new IllegalArgumentException("template " + id + " must have exactly one '" + SEPARATOR
                    + "' between its prompt and its response");
        }
    }

    String promptSource() {
        return jinja.substring(0, jinja.indexOf(SEPARATOR)).stripTrailing();
    }

    String responseSource() {
        return jinja.substring(jinja.indexOf(SEPARATOR) + SEPARATOR.length()).stripLeading();
    }
}
