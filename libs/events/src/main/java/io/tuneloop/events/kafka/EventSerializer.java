package io.tuneloop.events.kafka;

import io.tuneloop.events.EventJson;
import org.apache.kafka.common.serialization.Serializer;

/** JSON value serializer for every catalog payload. */
public class EventSerializer implements Serializer<Object> {
    @Override
    public byte[] serialize(String topic, Object payload) {
        return payload == null ? null : EventJson.toBytes(payload);
    }
}
