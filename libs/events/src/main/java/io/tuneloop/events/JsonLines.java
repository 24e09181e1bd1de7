package io.tuneloop.events;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * JSON Lines (one JSON value per line, UTF-8, {@code \n} after each) in the one mapping of
 * {@link EventJson}: how every stored list of records is read and written. Blank lines are skipped;
 * a line that does not read as the type fails with its line number.
 */
public final class JsonLines {
    public static final String CONTENT_TYPE = "application/x-ndjson";

    private JsonLines() {
    }

    /** Hands each value to {@code consumer} as it is read, without holding the whole content. */
    public static <T> void forEach(InputStream in, Class<T> type, Consumer<? super T> consumer) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        byte[] buffer = new byte[1 << 16];
        long number = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    line.write(buffer, start, i - start);
                    emit(line, ++number, type, consumer);
                    start = i + 1;
                }
            }
            line.write(buffer, start, n - start);
        }
        emit(line, ++number, type, consumer);
    }

    private static <T> void emit(ByteArrayOutputStream line, long number, Class<T> type, Consumer<? super T> consumer) {
        byte[] bytes = line.toByteArray();
        line.reset();
        if (isBlank(bytes)) {
            return;
        }
        try {
            consumer.accept(EventJson.fromBytes(bytes, type));
        } catch (MalformedEventException e) {
            throw new MalformedEventException("line " + number + ": " + e.getMessage(), e);
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    public static <T> List<T> read(byte[] content, Class<T> type) {
        List<T> values = new ArrayList<>();
        try {
            forEach(new ByteArrayInputStream(content), type, values::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory
        }
        return values;
    }

    public static void write(OutputStream out, Object value) throws IOException {
        out.write(EventJson.toBytes(value));
        out.write('\n');
    }

    public static byte[] toBytes(Iterable<?> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object value : values) {
            out.writeBytes(EventJson.toBytes(value));
            out.write('\n');
        }
        return out.toByteArray();
    }
}
