package io.tuneloop.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.tuneloop.events.payload.InvalidPayloadException;

import java.io.IOException;

/**
 * The one JSON mapping of every payload. Unknown fields are ignored so that a v1 consumer reads a
 * v1 payload that gained optional fields; missing required fields fail with the field's name.
 */
public final class EventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // absent optional fields are left out; a null inside a map (a tool argument, a schema default) is data
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                    JsonInclude.Include.ALWAYS));

    private EventJson() {
    }

    /** A copy of the mapper, for adapters that need one configured the same way. */
    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }

    public static byte[] toBytes(Object payload) {
        try {
            return MAPPER.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + payload.getClass().getSimpleName(), e);
        }
    }

    public static String toJson(Object payload) {
        return new String(toBytes(payload), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Reads a payload, turning Jackson's exceptions into one {@link MalformedEventException} whose
     * message says what is wrong (a contract violation, or where the JSON breaks).
     */
    public static <T> T fromBytes(byte[] bytes, Class<T> type) {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedEventException("empty payload where a " + type.getSimpleName() + " was expected");
        }
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new MalformedEventException("JSON null where a " + type.getSimpleName() + " was expected");
            }
            return value;
        } catch (JsonMappingException e) {
            InvalidPayloadException invalid = findInvalidPayload(e);
            String reason = invalid != null ? invalid.getMessage() : e.getOriginalMessage();
            throw new MalformedEventException("invalid " + type.getSimpleName() + ": " + reason, e);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new MalformedEventException("malformed JSON for " + type.getSimpleName() + ": " + reason, e);
        }
    }

    private static InvalidPayloadException findInvalidPayload(Throwable t) {
        for (Throwable cause = t; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidPayloadException invalid) {
                return invalid;
            }
        }
        return null;
    }
}
