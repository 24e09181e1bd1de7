package io.tuneloop.ingest.parse;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC 4180 reader: fields separated by {@code separator}, optionally quoted with
 * {@code "}, quotes doubled inside quotes, line breaks allowed inside quotes, CRLF or LF rows.
 * One row is held in memory at a time; a field longer than the limit is cut and reported.
 */
public final class CsvReader {
    private final Reader in;
    private final char separator;
    private final int maxFieldChars;
    private long line = 1;
    private long rowStartLine = 1;
    private boolean fieldTooLong;

    public CsvReader(Reader in, char separator, int maxFieldChars) {
        this.in = in;
        this.separator = separator;
        this.maxFieldChars = maxFieldChars;
    }

    /** The line the last returned row started on (1-based). */
    public long rowLine() {
        return rowStartLine;
    }

    /** Whether a field of the last row was over the limit (and cut). */
    public boolean fieldTooLong() {
        return fieldTooLong;
    }

    /** The next row's fields, or null at the end of input; throws on a quote left open at the end. */
    public List<String> next() throws IOException {
        rowStartLine = line;
        fieldTooLong = false;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStarted = false;
        int c;
        while ((c = in.read()) != -1) {
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int next = in.read();
                    if (next == '"') {
                        append(field, '"');
                    } else {
                        quoted = false;
                        if (next != -1) {
                            in.reset();
                        }
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    append(field, (char) c);
                }
                continue;
            }
            if (c == '"' && field.isEmpty()) {
                quoted = true;
                fieldStarted = true;
            } else if (c == separator) {
                fields.add(field.toString());
                field.setLength(0);
                fieldStarted = true;
            } else if (c == '\n') {
                line++;
                fields.add(field.toString());
                return fields;
            } else if (c != '\r') {
                append(field, (char) c);
                fieldStarted = true;
            }
        }
        if (quoted) {
            throw new IOException("a quoted field opened on line " + rowStartLine + " is never closed");
        }
        if (!fieldStarted && field.isEmpty() && fields.isEmpty()) {
            return null;
        }
        fields.add(field.toString());
        return fields;
    }

    private void append(StringBuilder field, char c) {
        if (field.length() < maxFieldChars) {
            field.append(c);
        } else {
            fieldTooLong = true;
        }
    }
}
