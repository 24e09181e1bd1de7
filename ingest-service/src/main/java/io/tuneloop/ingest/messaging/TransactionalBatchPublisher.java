package io.tuneloop.ingest.messaging;

import io.tuneloop.events.Actor;
import io.tuneloop.events.CloudEventHeaders;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.ingest.config.IngestConfig;
import io.tuneloop.ingest.flow.IngestPorts;
import io.tuneloop.service.messaging.KafkaConnection;
import io.tuneloop.service.resilience.Faults;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.smallrye.common.annotation.Identifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes an upload's records and its batch summary in ONE Kafka transaction: consumers read
 * committed records only, so an upload that fails or whose process dies half-way leaves nothing
 * visible, and its retry commits exactly one copy. Producers are pooled with stable transactional
 * ids ({@code <prefix>-<i>}), so a restarted instance fences the transactions its predecessor left
 * open. The SmallRye channels stay for single events; this is the bulk path.
 */
@ApplicationScoped
public class TransactionalBatchPublisher implements IngestPorts.RecordTransactions {
    /** How to reach the brokers: bootstrap servers plus any security settings (TLS, SASL) of the deployment. */
    private final Map<String, Object> connection;
    private final String idPrefix;
    private final int producers;
    private final Duration waitForProducer;
    private final Duration transactionTimeout;
    private final BlockingQueue<KafkaProducer<String, byte[]>> idle;
    private final List<KafkaProducer<String, byte[]>> all = new ArrayList<>();
    /** Each live producer's transactional id; a broken producer's id goes back to {@link #freeIds} for its replacement. */
    private final Map<KafkaProducer<String, byte[]>, String> ids = new java.util.IdentityHashMap<>();
    private final java.util.Deque<String> freeIds = new java.util.ArrayDeque<>();
    private int created;

    /**
     * @param kafka the service's {@code kafka.*} configuration (Quarkus' default broker settings): the
     *              same bootstrap servers and security settings as every channel of the service
     */
    @jakarta.inject.Inject
    public TransactionalBatchPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, IngestConfig config) {
        this(KafkaConnection.settings(kafka), config.transactions().idPrefix(), config.transactions().producers(),
                config.transactions().waitForProducer(), config.transactions().timeout());
    }

    public TransactionalBatchPublisher(String bootstrapServers, String idPrefix, int producers, Duration waitForProducer,
                                       Duration transactionTimeout) {
        this(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), idPrefix, producers, waitForProducer,
                transactionTimeout);
    }

    private TransactionalBatchPublisher(Map<String, Object> connection, String idPrefix, int producers,
                                        Duration waitForProducer, Duration transactionTimeout) {
        this.connection = Map.copyOf(connection);
        this.idPrefix = idPrefix;
        this.producers = producers;
        this.waitForProducer = waitForProducer;
        this.transactionTimeout = transactionTimeout;
        this.idle = new ArrayBlockingQueue<>(producers);
    }

    /** One upload's transaction. */
    public final class Transaction implements IngestPorts.Transaction {
        private final KafkaProducer<String, byte[]> producer;
        private final Actor actor;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private boolean finished;

        private Transaction(KafkaProducer<String, byte[]> producer, Actor actor) {
            this.producer = producer;
            this.actor = actor;
            producer.beginTransaction();
        }

        @Override
        public void send(RawRecord record) {
            ProducerRecord<String, byte[]> message = new ProducerRecord<>(Topics.RAW_RECORDS.name(), record.dataset(),
                    EventJson.toBytes(record));
            CloudEventHeaders.write(message.headers(), Topics.RAW_RECORDS, Service.INGEST.eventSource(), record.dataset(),
                    "raw-record:" + record.batchId() + ":" + record.recordId());
            CloudEventHeaders.write(message.headers(), actor);
            try {
                producer.send(message, (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
            } catch (KafkaException e) {
                throw uncommitted(record.batchId(), e);
            }
        }

        /** Sends the summary last and commits; throws (after aborting) when any send failed. */
        @Override
        public void commit(IngestBatch summary) {
            ProducerRecord<String, byte[]> message = new ProducerRecord<>(Topics.INGEST_BATCHES.name(), summary.dataset(),
                    EventJson.toBytes(summary));
            CloudEventHeaders.write(message.headers(), Topics.INGEST_BATCHES, Service.INGEST.eventSource(),
                    summary.dataset(), "ingest-batch:" + summary.batchId());
            CloudEventHeaders.write(message.headers(), actor);
            producer.send(message, (metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
            });
            try {
                producer.flush();
                if (failure.get() != null) {
                    abort();
                    throw uncommitted(summary.batchId(), failure.get());
                }
                producer.commitTransaction();
            } catch (KafkaException e) {
                throw uncommitted(summary.batchId(), e);
            }
            finished = true;
        }

        /**
         * Nothing of the batch is visible (the transaction did not commit, or its outcome is unknown
         * and a retry's copy is deduplicated by the formatter): the client may send it again, so this
         * is a 503, whatever Kafka's reason (a broker restart fences producers and aborts
         * transactions). Only a record too large for the broker is the input's fault.
         */
        private RuntimeException uncommitted(String batchId, Throwable cause) {
            String reason = "Kafka did not take the records of batch " + batchId + ": " + cause.getMessage();
            return cause instanceof org.apache.kafka.common.errors.RecordTooLargeException
                    ? new IllegalArgumentException(reason + " (raise the broker's message.max.bytes or split the record)", cause)
                    : new Faults.TransientFault(reason, cause);
        }

        public void abort() {
            if (!finished) {
                finished = true;
                try {
                    producer.abortTransaction();
                } catch (RuntimeException e) {
                    // a fenced or broken producer: replace it; its transaction is aborted by the broker
                    replace(producer);
                    return;
                }
            }
        }

        @Override
        public void close() {
            abort();
            if (!all.contains(producer) || !idle.offer(producer)) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    @Override
    public Transaction begin(Actor actor) {
        KafkaProducer<String, byte[]> producer = idle.poll();
        if (producer == null) {
            producer = createOrWait();
        }
        try {
            return new Transaction(producer, actor);
        } catch (KafkaException e) {
            replace(producer); // fenced or broken by a broker restart: the next upload gets a fresh one
            throw new Faults.TransientFault("cannot begin a Kafka transaction: " + e.getMessage(), e);
        }
    }

    private synchronized KafkaProducer<String, byte[]> createOrWait() {
        if (created < producers) {
            // a replacement takes over the id of the producer it replaces, so it never fences a live one
            String id = freeIds.isEmpty() ? idPrefix + "-" + created : freeIds.pop();
            KafkaProducer<String, byte[]> producer;
            try {
                producer = newProducer(id);
            } catch (RuntimeException e) {
                freeIds.push(id);
                throw e;
            }
            created++;
            all.add(producer);
            ids.put(producer, id);
            return producer;
        }
        try {
            KafkaProducer<String, byte[]> producer = idle.poll(waitForProducer.toMillis(),
                    TimeUnit.MILLISECONDS);
            if (producer == null) {
                throw new Faults.TransientFault("all " + created + " upload producers are busy");
            }
            return producer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a producer", e);
        }
    }

    private synchronized void replace(KafkaProducer<String, byte[]> broken) {
        if (all.remove(broken)) {
            freeIds.push(ids.remove(broken));
            created--;
        }
        broken.close(Duration.ZERO);
    }

    private KafkaProducer<String, byte[]> newProducer(String transactionalId) {
        Map<String, Object> config = new java.util.HashMap<>(connection);
        config.putAll(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis()));
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions(); // fences a previous incarnation's open transaction
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO); // the broker is not there (yet): the upload gets a 503
            throw e;
        }
        return producer;
    }

    @PreDestroy
    public synchronized void close() {
        all.forEach(p -> p.close(Duration.ofSeconds(5)));
        all.clear();
    }
}
