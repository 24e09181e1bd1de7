package io.tuneloop.ingest.parse;

/**
 * A source record that was not accepted, with a reason a user can act on.
 *
 * @param line   1-based line (or element) number in the source
 * @param field  the offending field, or null when the whole record is at fault
 * @param reason what is wrong
 * @param raw    the record's text as it was (truncated for very long lines)
 */
public record Rejection(long line, String field, String reason, String raw, String kind) {
    static final int MAX_RAW = 2_000;

    public Rejection {
        kind = kind == null ? kindOf(reason) : kind;
    }

    /**
     * The kind of a reason, for counting: a short stable label (malformed-json, invalid-utf8,
     * missing-field, empty-field, wrong-type, unknown-format, too-long, too-short, language,
     * near-duplicate, ragged-row, and the conversation kinds RecordMapper names: unsupported-role,
     * invalid-turn-order, tool-call-not-json, tool-call-missing-field, tools-not-json, invalid-tool-spec,
     * tools-and-functions, unmatched-tool-call-id, invalid-weight, unsupported-loss-weight,
     * unsupported-content-part, no-assistant-turn, invalid-preference), or other.
     */
    static String kindOf(String reason) {
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
        } else if (r.contains("must be text, found") || r.contains("must be a non-empty array")) {
            return "wrong-type";
        }
        return "other";
    }

    public static Rejection of(long line, String field, String reason, String raw) {
        return of(line, field, reason, raw, null);
    }

    public static Rejection of(long line, String field, String reason, String raw, String kind) {
        String kept = raw == null || raw.length() <= MAX_RAW ? raw : raw.substring(0, MAX_RAW) + "…";
        return new Rejection(line, field, reason, kept, kind);
    }

    /** The rejection of a record that {@code e} refused. */
    public static Rejection of(long line, InvalidRecordException e, String raw) {
        return of(line, e.field(), e.getMessage(), raw, e.kind());
    }
}
