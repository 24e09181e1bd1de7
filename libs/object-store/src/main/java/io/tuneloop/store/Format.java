package io.tuneloop.store;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.JsonLines;

import java.util.List;

/** How an artifact's value is written as bytes: JSON, JSON Lines or opaque bytes. */
public interface Format<T> {
    byte[] encode(T value);

    T decode(byte[] bytes);

    String contentType();

    Format<byte[]> BYTES = bytes("application/octet-stream");

    /** Bytes as they are, stored with {@code contentType} (text, Markdown, YAML). */
    static Format<byte[]> bytes(String contentType) {
        return new Bytes(contentType);
    }

    /** Opaque bytes with a content type. */
    record Bytes(String contentType) implements Format<byte[]> {
        @Override
        public byte[] encode(byte[] value) {
            return value;
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes;
        }
    }

    static <T> Format<T> json(Class<T> type) {
        return new Format<>() {
            @Override
            public byte[] encode(T value) {
                return EventJson.toBytes(value);
            }

            @Override
            public T decode(byte[] bytes) {
                return EventJson.fromBytes(bytes, type);
            }

            @Override
            public String contentType() {
                return "application/json";
            }
        };
    }

    /** One value of {@code type} per line; see {@link JsonLines}. */
    static <E> Format<List<E>> jsonLines(Class<E> type) {
        return new JsonLinesFormat<>(type);
    }

    /** A JSON Lines format, which can also be read as a stream. */
    record JsonLinesFormat<E>(Class<E> type) implements Format<List<E>> {
        @Override
        public byte[] encode(List<E> value) {
            return JsonLines.toBytes(value);
        }

        @Override
        public List<E> decode(byte[] bytes) {
            return JsonLines.read(bytes, type);
        }

        @Override
        public String contentType() {
            return JsonLines.CONTENT_TYPE;
        }
    }
}
