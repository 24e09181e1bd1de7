package io.tuneloop.ingest.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Streams a JSON Lines source record by record: memory use is one line, whatever the file size.
 * Every line ends up either as records or as a {@link Rejection} with its line number.
 */
public final class JsonLinesReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int maxLineChars;
    private final ColumnMapping mapping;

    public JsonLinesReader(int maxLineChars) {
        this(maxLineChars, ColumnMapping.NONE);
    }

    public JsonLinesReader(int maxLineChars, ColumnMapping mapping) {
        this.maxLineChars = maxLineChars;
        this.mapping = mapping;
    }

    /** Counts of one pass over a source. */
    public record Summary(long lines, long records, long rejected) {
    }

    /**
     * @throws IOException when the stream fails
     */
    public Summary read(InputStream source, Consumer<ParsedRecord> accepted, Consumer<Rejection> rejected)
            throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        // A UTF-8 character is at most 4 bytes: a line longer than this is over the limit whatever it holds.
        long maxLineBytes = 4L * maxLineChars;
        long lineNumber = 0;
        long records = 0;
        long rejections = 0;
        InputStream in = new BufferedInputStream(source, 1 << 16);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        while (true) {
            buffer.reset();
            long lineBytes = 0;
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (++lineBytes <= maxLineBytes) {
                    buffer.write(b);
                }
            }
            if (b == -1 && lineBytes == 0) {
                break;
            }
            lineNumber++;
            String line;
            try {
                line = decoder.decode(ByteBuffer.wrap(buffer.toByteArray())).toString();
            } catch (CharacterCodingException e) {
                rejected.accept(Rejection.of(lineNumber, null, "not valid UTF-8 text; re-encode the file as UTF-8", null));
                rejections++;
                continue;
            }
            if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1); // byte-order mark
            }
            if (line.isBlank()) {
                continue;
            }
            if (lineBytes > maxLineBytes || line.length() > maxLineChars) {
                rejected.accept(Rejection.of(lineNumber, null, "record is " + Math.max(line.length(), lineBytes)
                        + " characters or more, over the limit of " + maxLineChars, line));
                rejections++;
                continue;
            }
            try {
                JsonNode node = mapping.apply(JSON.readTree(line));
                for (ParsedRecord record : RecordMapper.map(node, lineNumber)) {
                    accepted.accept(record);
                    records++;
                }
            } catch (JsonProcessingException e) {
                rejected.accept(Rejection.of(lineNumber, null, "malformed JSON: " + e.getOriginalMessage()
                        + " at column " + e.getLocation().getColumnNr(), line));
                rejections++;
            } catch (InvalidRecordException e) {
                rejected.accept(Rejection.of(lineNumber, e, line));
                rejections++;
            }
        }
        return new Summary(lineNumber, records, rejections);
    }
}
