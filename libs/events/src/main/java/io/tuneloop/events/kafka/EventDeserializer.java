package io.tuneloop.events.kafka;

import io.tuneloop.events.CloudEventHeaders;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.MalformedEventException;
import io.tuneloop.events.Topic;
import io.tuneloop.events.Topics;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * JSON value deserializer for every catalog topic: the payload type comes from the catalog entry of
 * the record's topic, so one class serves all channels. It refuses an event whose CloudEvents type
 * is a different one than the topic carries (a v2 event on a v1 consumer), rather than misreading it.
 * Events without CloudEvents headers (plain producers) are read as the topic's type.
 */
public class EventDeserializer implements Deserializer<Object> {

    @Override
    public Object deserialize(String topicName, byte[] data) {
        return read(topicOf(topicName), data);
    }

    @Override
    public Object deserialize(String topicName, Headers headers, byte[] data) {
        Topic<?, ?> topic = topicOf(topicName);
        CloudEventHeaders.read(headers, CloudEventHeaders.TYPE).ifPresent(type -> {
            if (!type.equals(topic.eventType())) {
                throw new MalformedEventException("event type " + type + " is not " + topic.eventType()
                        + ", the type topic " + topic.name() + " carries");
            }
        });
        return read(topic, data);
    }

    private static Object read(Topic<?, ?> topic, byte[] data) {
        if (data == null) {
            return null; // a tombstone
        }
        return EventJson.fromBytes(data, topic.payloadType());
    }

    private static Topic<?, ?> topicOf(String topicName) {
        return Topics.byName(topicName).orElseThrow(() ->
                new MalformedEventException("topic " + topicName + " is not in the tuneloop event catalog"));
    }
}
