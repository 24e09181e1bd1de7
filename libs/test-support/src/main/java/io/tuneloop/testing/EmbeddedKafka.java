package io.tuneloop.testing;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import io.tuneloop.events.Topic;
import io.tuneloop.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * A real Kafka broker (KRaft, combined broker and controller) inside this JVM on 127.0.0.1 and a
 * free port, with every catalog topic and dead-letter topic created up front.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final EmbeddedKafkaBroker broker;

    private EmbeddedKafka(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    public static EmbeddedKafka start() {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .withNodeId(0)
                .withKafkaHost("127.0.0.1")
                .withKafkaPort(0)
                .withDeleteLogDirsOnClose(true)
                .withAdditionalProperties(p -> {
                    // one broker: internal topics cannot have more replicas than that
                    p.put("offsets.topic.replication.factor", "1");
                    p.put("transaction.state.log.replication.factor", "1");
                    p.put("transaction.state.log.min.isr", "1");
                    p.put("group.initial.rebalance.delay.ms", "0");
                    p.put("num.partitions", "1");
                });
        broker.start();
        EmbeddedKafka kafka = new EmbeddedKafka(broker);
        kafka.createCatalogTopics();
        return kafka;
    }

    /** {@code 127.0.0.1:<port>} */
    public String bootstrapServers() {
        return broker.getAdvertisedListeners().replaceFirst("^[A-Z_]+://", "");
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    private void createCatalogTopics() {
        List<NewTopic> topics = new ArrayList<>();
        for (Topic<String, ?> topic : Topics.ALL) {
            topics.add(new NewTopic(topic.name(), topic.partitions(), (short) 1));
        }
        for (String deadLetter : Topics.deadLetterTopics()) {
            topics.add(new NewTopic(deadLetter, 1, (short) 1));
        }
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the catalog topics", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
