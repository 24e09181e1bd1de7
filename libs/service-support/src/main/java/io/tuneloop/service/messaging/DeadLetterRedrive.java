package io.tuneloop.service.messaging;

import io.tuneloop.events.Service;
import io.tuneloop.events.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Re-drives a service's dead-letter topic after the cause was fixed: every record not re-driven
 * before is sent again, with its key, value and headers (less the {@code dead-letter-*} ones), to
 * the topic it came from, and the dead-letter topic's position is committed (consumer group
 * {@code <service group>-redrive}), so a second call re-drives only what was dead-lettered since.
 * Consumers are idempotent by record and event id, so a record re-driven twice (a crash between the
 * send and the commit) is harmless. Records without a value (tombstones) are counted as skipped.
 * A record whose bytes could not be read goes back as it came and is dead-lettered again.
 */
public final class DeadLetterRedrive {
    /** The header SmallRye's dead-letter queue writes with the record's original topic. */
    static final String ORIGINAL_TOPIC = "dead-letter-topic";

    /** What one re-drive did. */
    public record Result(String deadLetterTopic, String topic, long redriven, long skipped) {
    }

    /** A dead-letter topic of the service: records in it, and records waiting to be re-driven. */
    public record Status(String deadLetterTopic, String topic, long records, long notRedriven) {
    }

    private final Map<String, Object> connection;
    private final Service service;

    public DeadLetterRedrive(Map<String, Object> connection, Service service) {
        this.connection = Map.copyOf(connection);
        this.service = service;
    }

    /** The dead-letter topics of this service, by name, with the topic each one parks records of. */
    public Map<String, String> deadLetterTopics() {
        Map<String, String> topics = new TreeMap<>();
        for (Topic<String, ?> topic : service.consumes()) {
            topics.put(topic.deadLetterTopic(service), topic.name());
        }
        return topics;
    }

    public List<Status> status() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            return deadLetterTopics().entrySet().stream().map(entry -> {
                List<TopicPartition> partitions = partitions(consumer, entry.getKey());
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
                long records = 0;
                long waiting = 0;
                for (TopicPartition partition : partitions) {
                    long from = Optional.ofNullable(committed.get(partition)).map(OffsetAndMetadata::offset)
                            .orElse(begin.get(partition));
                    records += end.get(partition) - begin.get(partition);
                    waiting += Math.max(0, end.get(partition) - Math.max(from, begin.get(partition)));
                }
                return new Status(entry.getKey(), entry.getValue(), records, waiting);
            }).toList();
        }
    }

    /** Re-drives what {@code deadLetterTopic} holds now; records dead-lettered meanwhile wait for the next call. */
    public Result redrive(String deadLetterTopic) {
        String target = deadLetterTopics().get(deadLetterTopic);
        if (target == null) {
            throw new IllegalArgumentException(deadLetterTopic + " is not a dead-letter topic of " + service.id()
                    + "; its topics are " + deadLetterTopics().keySet());
        }
        long redriven = 0;
        long skipped = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); KafkaProducer<byte[], byte[]> producer = producer()) {
            List<TopicPartition> partitions = partitions(consumer, deadLetterTopic);
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata from = committed.get(partition);
                if (from == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, from.offset());
                }
            }
            Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
            List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("re-driving " + deadLetterTopic + " did not reach its end in 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= end.get(partition)) {
                        continue; // dead-lettered after this call started: the next call takes it
                    }
                    if (record.value() == null) {
                        skipped++;
                    } else {
                        sent.add(producer.send(resend(record, target)));
                        redriven++;
                    }
                    done.put(partition, new OffsetAndMetadata(record.offset() + 1));
                }
            }
            producer.flush();
            for (java.util.concurrent.Future<?> send : sent) {
                try {
                    send.get(); // every re-sent record is on its topic before the position moves past it
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new io.tuneloop.service.resilience.Faults.TransientFault("re-driving " + deadLetterTopic
                            + " failed; nothing was marked re-driven, call again: " + e.getCause().getMessage(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while re-driving " + deadLetterTopic, e);
                }
            }
            consumer.commitSync(done);
        }
        return new Result(deadLetterTopic, target, redriven, skipped);
    }

    static ProducerRecord<byte[], byte[]> resend(ConsumerRecord<byte[], byte[]> parked, String fallbackTopic) {
        Header original = parked.headers().lastHeader(ORIGINAL_TOPIC);
        String topic = original == null ? fallbackTopic : new String(original.value(), StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, parked.key(), parked.value());
        for (Header header : parked.headers()) {
            // SmallRye's own headers of the failure (and of a value it could not deserialize) are not the record's
            if (!header.key().startsWith("dead-letter-") && !header.key().startsWith("deserialization-failure")) {
                record.headers().add(header);
            }
        }
        return record;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        var infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            return List.of();
        }
        return infos.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, service.consumerGroup() + "-redrive");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = new HashMap<>(connection);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
