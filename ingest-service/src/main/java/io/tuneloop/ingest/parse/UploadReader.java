package io.tuneloop.ingest.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads an upload of any supported container (JSON Lines, JSON array, CSV, TSV; each optionally
 * gzip-compressed, detected by its magic bytes) as a stream of records and rejections. The format
 * is detected from the first bytes unless given. Decompressed size is capped, so a gzip bomb stops
 * with a clear error instead of filling the disk.
 */
public final class UploadReader {
    private static final int PEEK = 8192;

    /**
     * @param format               null to detect
     * @param mapping              generic column mapping
     * @param maxRecordChars       longest record (line, row or element)
     * @param maxDecompressedBytes cap on the bytes read after decompression
     */
    public record Options(UploadFormat format, ColumnMapping mapping, int maxRecordChars, long maxDecompressedBytes,
                          String taskName) {
        public Options(UploadFormat format, ColumnMapping mapping, int maxRecordChars, long maxDecompressedBytes) {
            this(format, mapping, maxRecordChars, maxDecompressedBytes, null);
        }
    }

    /** What a pass over an upload found. */
    public record Summary(UploadFormat format, boolean gzip, long records, long rejected) {
    }

    private final Options options;
    private final ObjectMapper json;

    public UploadReader(Options options) {
        this.options = options;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(options.maxRecordChars()).build())
                .build();
        this.json = new ObjectMapper(factory);
    }

    public Summary read(InputStream upload, Consumer<ParsedRecord> accepted, Consumer<Rejection> rejected) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(upload, 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        InputStream content = gzip
                ? new BufferedInputStream(new CappedInputStream(new GZIPInputStream(raw, 1 << 16), options.maxDecompressedBytes()), 1 << 16)
                : new CappedInputStream(raw, options.maxDecompressedBytes());
        if (!content.markSupported()) {
            content = new BufferedInputStream(content, 1 << 16);
        }
        content.mark(PEEK);
        byte[] head = content.readNBytes(PEEK);
        content.reset();
        if (new String(head, StandardCharsets.ISO_8859_1).isBlank()) {
            throw new InvalidUploadException("the upload is empty: nothing to ingest", false);
        }
        UploadFormat format = options.format() != null ? options.format() : UploadFormat.detect(head, head.length);
        if (format == UploadFormat.JSONL && options.format() == null && !firstLineIsJson(head)) {
            format = UploadFormat.JSON; // one pretty-printed document (a task file), not one object per line
        }
        Counting counting = new Counting(accepted, rejected);
        switch (format) {
            case JSONL -> new JsonLinesReader(options.maxRecordChars(), options.mapping())
                    .read(content, counting::accept, counting::reject);
            case JSON -> readJsonArray(content, counting);
            case CSV -> readDelimited(content, ',', counting);
            case TSV -> readDelimited(content, '\t', counting);
        }
        return new Summary(format, gzip, counting.recordCount, counting.rejectedCount);
    }

    private void readJsonArray(InputStream content, Counting out) throws IOException {
        try (JsonParser parser = json.getFactory().createParser(utf8(content))) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                JsonNode document = json.readTree(parser);
                if (parser.nextToken() != null) {
                    out.reject(Rejection.of(1, null, "expected one JSON document (format json) but the file holds more"
                            + " than one JSON value; a file of one JSON object per line is format jsonl", null));
                    return;
                }
                readJsonDocument(document, out);
                return;
            }
            if (first != JsonToken.START_ARRAY) {
                out.reject(Rejection.of(1, null, "expected a JSON array of records or a task file (format json)", null));
                return;
            }
            long element = 0;
            while (true) {
                JsonToken token;
                try {
                    token = parser.nextToken();
                    if (token == JsonToken.END_ARRAY || token == null) {
                        return;
                    }
                    element++;
                    JsonNode node = options.mapping().apply(json.readTree(parser));
                    RecordMapper.map(node, element).forEach(out::accept);
                } catch (InvalidRecordException e) {
                    out.reject(Rejection.of(element, e, null));
                } catch (JsonProcessingException e) {
                    // a JSON array cannot be resynchronised after a syntax error: report where, stop
                    out.reject(Rejection.of(element, null, "malformed JSON at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage()
                            + " (the rest of the file was not read)", null));
                    return;
                }
            }
        } catch (CharacterCodingException e) {
            out.reject(Rejection.of(0, null, "not valid UTF-8 text; re-encode the file as UTF-8 (the rest of the file"
                    + " was not read)", null));
        }
    }

    /** A single JSON document: a Super-NaturalInstructions task file, or one record. */
    private void readJsonDocument(JsonNode document, Counting out) {
        try {
            if (RecordMapper.isSuperNatural(document)) {
                RecordMapper.superNatural(document, options.taskName()).forEach(out::accept);
            } else {
                RecordMapper.map(options.mapping().apply(document), 1).forEach(out::accept);
            }
        } catch (InvalidRecordException e) {
            out.reject(Rejection.of(1, e, null));
        }
    }

    /** Whether the first line of the upload is a whole JSON value (JSON Lines) rather than the start of one. */
    private boolean firstLineIsJson(byte[] head) {
        int end = 0;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        if (end == head.length && head.length == PEEK) {
            return true; // a first line longer than the peek: let the JSON Lines reader judge it
        }
        try {
            json.readTree(new String(head, 0, end, StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void readDelimited(InputStream content, char separator, Counting out) throws IOException {
        try {
            CsvReader reader = new CsvReader(new BufferedReader(utf8(content), 1 << 16), separator, options.maxRecordChars());
            List<String> header = reader.next();
            if (header == null) {
                return;
            }
            if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
                header.set(0, header.get(0).substring(1));
            }
            List<String> columns = header.stream().map(String::trim).toList();
            List<String> row;
            while ((row = nextRow(reader, out)) != null) {
                long line = reader.rowLine();
                if (row.size() == 1 && row.get(0).isBlank()) {
                    continue;
                }
                if (row.size() != columns.size()) {
                    out.reject(Rejection.of(line, null, "row has " + row.size() + " fields, the header has "
                            + columns.size(), String.join(String.valueOf(separator), row)));
                    continue;
                }
                if (reader.fieldTooLong()) {
                    out.reject(Rejection.of(line, null, "a field is over the limit of " + options.maxRecordChars()
                            + " characters", null));
                    continue;
                }
                ObjectNode node = json.createObjectNode();
                for (int i = 0; i < columns.size(); i++) {
                    if (!row.get(i).isEmpty()) {
                        node.put(columns.get(i), row.get(i));
                    }
                }
                try {
                    RecordMapper.map(options.mapping().apply(node), line).forEach(out::accept);
                } catch (InvalidRecordException e) {
                    out.reject(Rejection.of(line, e, String.join(String.valueOf(separator), row)));
                }
            }
        } catch (CharacterCodingException e) {
            out.reject(Rejection.of(0, null, "not valid UTF-8 text; re-encode the file as UTF-8 (the rest of the file"
                    + " was not read)", null));
        }
    }

    private static List<String> nextRow(CsvReader reader, Counting out) throws IOException {
        try {
            return reader.next();
        } catch (CharacterCodingException e) {
            throw e;
        } catch (IOException e) {
            out.reject(Rejection.of(reader.rowLine(), null, e.getMessage() + " (the rest of the file was not read)", null));
            return null;
        }
    }

    private static InputStreamReader utf8(InputStream in) {
        return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    private static final class Counting {
        private final Consumer<ParsedRecord> accepted;
        private final Consumer<Rejection> rejected;
        long recordCount;
        long rejectedCount;

        Counting(Consumer<ParsedRecord> accepted, Consumer<Rejection> rejected) {
            this.accepted = accepted;
            this.rejected = rejected;
        }

        void accept(ParsedRecord record) {
            recordCount++;
            accepted.accept(record);
        }

        void reject(Rejection rejection) {
            rejectedCount++;
            rejected.accept(rejection);
        }
    }

    /** Stops reading with {@link InvalidUploadException} once more than {@code limit} bytes came through. */
    private static final class CappedInputStream extends FilterInputStream {
        private final long limit;
        private long read;

        CappedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > limit) {
                throw new InvalidUploadException("the upload is over " + limit + " bytes once decompressed", true);
            }
        }
    }
}
