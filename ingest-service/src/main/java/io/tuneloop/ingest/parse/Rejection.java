package io.tuneloop.ingest.parse;

/**
 * A source record that was not accepted, with a reason a user can act on.
 *
 * @param line   1-based line (or element) number in the source
 * @param field  the offending field, or null when the whole record is at fault
 * @param reason what is wrong
 * @param raw    the record's text as it was (truncated for very long lines)
 */
public record Rejection(long line, String field, String reason, String raw) {
    static final int MAX_RAW = 2_000;

    public static Rejection of(long line, String field, String reason, String raw) {
        String kept = raw == null || raw.length() <= MAX_RAW ? raw : raw.substring(0, MAX_RAW) + "…";
        return new Rejection(line, field, reason, kept);
    }
}
