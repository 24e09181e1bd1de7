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

    /**
     * The kind of reason, for counting: a short stable label (malformed-json, invalid-utf8, missing-field,
     * empty-field, unknown-format, too-long, too-short, language, near-duplicate, ragged-row, other).
     */
    public String kind() {
        String r = reason.toLowerCase(java.util.Locale.ROOT);
        if (r.startsWith("malformed json")) {
            return "malformed-json";
        } else if (r.contains("utf-8")) {
            return "invalid-utf8";
        } else if (r.endsWith("is missing") || r.contains("needs")) {
            return "missing-field";
        } else if (r.endsWith("is empty")) {
            return "empty-field";
        } else if (r.startsWith("unknown format") || r.startsWith("expected a json")) {
            return "unknown-format";
        } else if (r.contains("over the limit") || r.contains("over the maximum")) {
            return "too-long";
        } else if (r.contains("under the minimum")) {
            return "too-short";
        } else if (r.startsWith("language")) {
            return "language";
        } else if (r.startsWith("near-duplicate")) {
            return "near-duplicate";
        } else if (r.startsWith("row has")) {
            return "ragged-row";
        }
        return "other";
    }

    public static Rejection of(long line, String field, String reason, String raw) {
        String kept = raw == null || raw.length() <= MAX_RAW ? raw : raw.substring(0, MAX_RAW) + "…";
        return new Rejection(line, field, reason, kept);
    }
}
