package io.tuneloop.service.messaging;

import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tuneloop.events.Actor;
import io.tuneloop.events.CloudEventHeaders;
import io.tuneloop.events.Topic;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import java.util.UUID;

/** Builds outgoing catalog messages: Kafka key plus CloudEvents id and subject. */
public final class Events {
    private Events() {
    }

    /**
     * A message for {@code topic}, keyed by {@code key}, whose CloudEvents subject is the key.
     * {@code eventId} is derived from what the event announces wherever a repeat must be the same
     * event downstream (pass null for a random one, for progress reports); tuneloop's own consumers
     * recognise repeats by the markers their work leaves, not by this id (see
     * {@link io.tuneloop.service.idempotency.Idempotency}).
     */
    public static <V> Message<V> message(Topic<String, V> topic, String key, V payload, String eventId) {
        return message(topic, key, payload, eventId, null);
    }

    /**
     * As {@link #message(Topic, String, Object, String)}, naming who caused the event and which team
     * owns its subject as the CloudEvents extension attributes {@code principal} and {@code team}.
     */
    public static <V> Message<V> message(Topic<String, V> topic, String key, V payload, String eventId, Actor actor) {
        var builder = OutgoingCloudEventMetadata.builder()
                .withId(eventId == null ? UUID.randomUUID().toString() : eventId)
                .withType(topic.eventType())
                .withSubject(key);
        if (actor != null) {
            builder.withExtension(CloudEventHeaders.PRINCIPAL_EXTENSION, actor.principal());
            if (actor.team() != null) {
                builder.withExtension(CloudEventHeaders.TEAM_EXTENSION, actor.team());
            }
        }
        OutgoingCloudEventMetadata<Object> cloudEvent = builder.build();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .build();
        return Message.of(payload, Metadata.of(cloudEvent, kafka));
    }
}
