package io.tuneloop.service.messaging;

import io.tuneloop.events.Service;
import io.tuneloop.events.Topic;
import io.tuneloop.events.kafka.EventDeserializer;
import io.tuneloop.events.kafka.EventSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;
import java.util.TreeMap;

/**
 * The SmallRye Kafka configuration of a service's channels, derived from the catalog: a service
 * says which it is ({@code tuneloop.service=formatter}) and gets one incoming channel per topic it
 * consumes ({@code <topic>-in}, with its own dead-letter topic) and one outgoing channel per topic
 * it produces ({@code <topic>-out}, CloudEvents binary mode, {@code acks=all}, idempotent).
 * Anything here can still be overridden in the service's application.properties.
 */
public final class CatalogChannels {
    public static final String CONNECTOR = "smallrye-kafka";

    private CatalogChannels() {
    }

    public static Map<String, String> configFor(Service service) {
        Map<String, String> config = new TreeMap<>();
        for (Topic<String, ?> topic : service.consumes()) {
            String p = "mp.messaging.incoming." + topic.incomingChannel() + ".";
            config.put(p + "connector", CONNECTOR);
            config.put(p + "topic", topic.name());
            config.put(p + "group.id", service.consumerGroup());
            config.put(p + "key.deserializer", StringDeserializer.class.getName());
            config.put(p + "value.deserializer", EventDeserializer.class.getName());
            config.put(p + "auto.offset.reset", "earliest");
            // transactional producers' aborted records are never seen
            config.put(p + "isolation.level", "read_committed");
            // a record that cannot be read or processed is parked with its reason; the channel goes on
            config.put(p + "failure-strategy", "dead-letter-queue");
            config.put(p + "fail-on-deserialization-failure", "false");
            config.put(p + "dead-letter-queue.topic", topic.deadLetterTopic(service));
            config.put(p + "dead-letter-queue.key.serializer", StringSerializer.class.getName());
            config.put(p + "dead-letter-queue.value.serializer", EventSerializer.class.getName());
            config.put(p + "dead-letter-queue.acks", "all");
            // a message waiting out a store or broker outage stays un-acknowledged for as long as it
            // takes: the throttled commit strategy must not declare the channel unhealthy for it
            config.put(p + "throttled.unprocessed-record-max-age.ms", "0");
        }
        for (Topic<String, ?> topic : service.produces()) {
            String p = "mp.messaging.outgoing." + topic.outgoingChannel() + ".";
            config.put(p + "connector", CONNECTOR);
            config.put(p + "topic", topic.name());
            config.put(p + "key.serializer", StringSerializer.class.getName());
            config.put(p + "value.serializer", EventSerializer.class.getName());
            config.put(p + "acks", "all");
            config.put(p + "enable.idempotence", "true");
            config.put(p + "cloud-events-type", topic.eventType());
            config.put(p + "cloud-events-source", service.eventSource());
            config.put(p + "cloud-events-mode", "binary");
            config.put(p + "cloud-events-data-content-type", "application/json");
        }
        return config;
    }
}
