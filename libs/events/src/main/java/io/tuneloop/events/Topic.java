package io.tuneloop.events;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One Kafka topic of the round: its name, the Java types of its key and payload, and the
 * versioned CloudEvents type its events carry. Instances live only in {@link Topics}.
 *
 * @param name        the Kafka topic name
 * @param keyType     the record key type (all keys are strings today: dataset name, run id, item id)
 * @param payloadType the JSON payload record
 * @param eventType   CloudEvents {@code type}, e.g. {@code io.tuneloop.dataset-version.v1}
 * @param keyedBy     what the key is, in words (ordering is per key)
 * @param partitions  partitions the topic is created with
 */
public record Topic<K, V>(String name, Class<K> keyType, Class<V> payloadType, String eventType,
                          String keyedBy, int partitions) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern EVENT_TYPE = Pattern.compile("io\\.tuneloop\\.[a-z-]+\\.v[0-9]+");

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(payloadType, "payloadType");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("topic name must be kebab-case: " + name);
        }
        if (!EVENT_TYPE.matcher(eventType).matches()) {
            throw new IllegalArgumentException("event type must look like io.tuneloop.<thing>.v<N>: " + eventType);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1");
        }
    }

    /** The SmallRye channel a service consumes this topic on. */
    public String incomingChannel() {
        return name + Channels.INCOMING_SUFFIX;
    }

    /** The SmallRye channel a service produces this topic on. */
    public String outgoingChannel() {
        return name + Channels.OUTGOING_SUFFIX;
    }

    /**
     * The dead-letter topic of one consumer of this topic: each consuming service has its own, so
     * a poison event parked by the trainer does not show up as the eval service's problem.
     */
    public String deadLetterTopic(Service consumer) {
        if (!consumer.consumes(this)) {
            throw new IllegalArgumentException(consumer.id() + " does not consume " + name);
        }
        return name + ".dlq." + consumer.id();
    }

    /** The CloudEvents version number, from the type suffix. */
    public int eventVersion() {
        return Integer.parseInt(eventType.substring(eventType.lastIndexOf(".v") + 2));
    }
}
