package io.tuneloop.ingest.parse;

import java.util.Locale;

/** Container formats of an upload (each may also be gzip-compressed). */
public enum UploadFormat {
    /** one JSON object per line */
    JSONL,
    /** one JSON array of objects */
    JSON,
    /** comma-separated values with a header row */
    CSV,
    /** tab-separated values with a header row */
    TSV;

    public static UploadFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace("JSONLINES", "JSONL").replace("NDJSON", "JSONL"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + name + "': use jsonl, json, csv or tsv");
        }
    }

    /**
     * Guesses from the first bytes: '[' is a JSON array, '{' JSON Lines, otherwise a header row with
     * tabs is TSV and anything else CSV.
     */
    static UploadFormat detect(byte[] head, int length) {
        int i = 0;
        if (length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            i = 3; // UTF-8 byte-order mark
        }
        while (i < length && Character.isWhitespace(head[i])) {
            i++;
        }
        if (i < length && head[i] == '[') {
            return JSON;
        }
        if (i < length && head[i] == '{') {
            return JSONL;
        }
        for (int j = i; j < length && head[j] != '\n'; j++) {
            if (head[j] == '\t') {
                return TSV;
            }
        }
        return CSV;
    }
}
