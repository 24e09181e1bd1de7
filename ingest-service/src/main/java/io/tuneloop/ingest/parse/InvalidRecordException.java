package io.tuneloop.ingest.parse;

/**
 * A source record that breaks its format; {@code field} is null when the whole record is at fault,
 * {@code kind} the reason code it is counted under (see {@link Rejection#kind}).
 */
public class InvalidRecordException extends RuntimeException {
    private final String field;
    private final String kind;

    public InvalidRecordException(String field, String reason) {
        this(field, reason, null);
    }

    public InvalidRecordException(String field, String reason, String kind) {
        super(field == null ? reason : field + " " + reason);
        this.field = field;
        this.kind = kind;
    }

    public String field() {
        return field;
    }

    /** The reason code, or null to derive it from the message. */
    public String kind() {
        return kind;
    }
}
