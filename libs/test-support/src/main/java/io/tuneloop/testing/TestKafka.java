package io.tuneloop.testing;

import io.tuneloop.events.CloudEventHeaders;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * Plain Kafka clients for tests: produce catalog events or raw bytes as an outside producer would,
 * and read a topic from the beginning until a record matches.
 */
public final class TestKafka {
    private TestKafka() {
    }

    /** Sends a catalog event with CloudEvents headers, as a tuneloop service would. */
    public static <V> void send(Topic<String, V> topic, String key, V payload) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic.name(), key, EventJson.toBytes(payload));
        CloudEventHeaders.write(record.headers(), topic, "/tests", key);
        sendRecord(record);
    }

    /** Sends raw bytes with no headers: an outside producer, or a poison event. */
    public static void sendRaw(String topic, String key, byte[] value) {
        sendRecord(new ProducerRecord<>(topic, key, value));
    }

    private static void sendRecord(ProducerRecord<String, byte[]> record) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send to " + record.topic(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads {@code topic} from the beginning (committed records only) until a record matches,
     * or fails after {@code timeout}.
     */
    public static ConsumerRecord<String, byte[]> awaitRecord(String topic, Predicate<ConsumerRecord<String, byte[]>> match,
                                                             Duration timeout) {
        return awaitRecords(topic, match, 1, timeout).get(0);
    }

    /**
     * Reads {@code topic} from the beginning (committed records only) until {@code count} records
     * match, in topic order (per partition), or fails after {@code timeout}.
     */
    public static List<ConsumerRecord<String, byte[]>> awaitRecords(String topic,
                                                                    Predicate<ConsumerRecord<String, byte[]>> match,
                                                                    int count, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> matched = new ArrayList<>();
        int others = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(record)) {
                        matched.add(record);
                        if (matched.size() == count) {
                            return matched;
                        }
                    } else {
                        others++;
                    }
                }
            }
        }
        throw new AssertionError(matched.size() + " of " + count + " matching records on " + topic + " within " + timeout
                + "; saw " + others + " others");
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
