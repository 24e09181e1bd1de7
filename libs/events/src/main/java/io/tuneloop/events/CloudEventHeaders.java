package io.tuneloop.events;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.UUID;

/**
 * CloudEvents binary-mode attributes as Kafka headers ({@code ce_id}, {@code ce_type}, ...), the
 * same ones SmallRye's Kafka connector writes, for plain Kafka clients (tools, tests) that need to
 * produce or read catalog events without the connector.
 */
public final class CloudEventHeaders {
    public static final String ID = "ce_id";
    public static final String TYPE = "ce_type";
    public static final String SOURCE = "ce_source";
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String CONTENT_TYPE = "content-type";
    /** Extension attribute: who caused the event ({@link Actor#principal()}). */
    public static final String PRINCIPAL = "ce_principal";
    /** Extension attribute: the team that owns the event's subject ({@link Actor#team()}). */
    public static final String TEAM = "ce_team";
    /** The extension attributes' names as CloudEvents spells them (without the Kafka header prefix). */
    public static final String PRINCIPAL_EXTENSION = "principal";
    public static final String TEAM_EXTENSION = "team";

    private CloudEventHeaders() {
    }

    /** Adds the attributes of a new event of {@code topic} to {@code headers}; returns the event id. */
    public static String write(Headers headers, Topic<?, ?> topic, String source, String subject) {
        return write(headers, topic, source, subject, UUID.randomUUID().toString());
    }

    /** As {@link #write(Headers, Topic, String, String)} with a given id (derived from content, so a re-send is recognisable). */
    public static String write(Headers headers, Topic<?, ?> topic, String source, String subject, String id) {
        put(headers, ID, id);
        put(headers, TYPE, topic.eventType());
        put(headers, SOURCE, source);
        put(headers, SPEC_VERSION, "1.0");
        put(headers, TIME, DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
        put(headers, CONTENT_TYPE, "application/json");
        if (subject != null) {
            put(headers, SUBJECT, subject);
        }
        return id;
    }

    /** Adds {@code actor} as the event's principal and team extension attributes. */
    public static void write(Headers headers, Actor actor) {
        if (actor == null) {
            return;
        }
        put(headers, PRINCIPAL, actor.principal());
        if (actor.team() != null) {
            put(headers, TEAM, actor.team());
        }
    }

    /** The actor an event names, if it names one. */
    public static Optional<Actor> actor(Headers headers) {
        return read(headers, PRINCIPAL).map(p -> new Actor(p, read(headers, TEAM).orElse(null)));
    }

    public static Optional<String> read(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null
                ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
