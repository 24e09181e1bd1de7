package io.tuneloop.formatter.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.formatter.dataset.PendingBatches;
import io.tuneloop.formatter.service.FormatterService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Kafka side of the formatter. Raw records are acknowledged only once the version holding them is
 * sealed and announced, so a crash before that redelivers them (offsets are not committed past
 * them); redelivered records are deduplicated by id and an already-sealed batch is not sealed twice.
 *
 * <p>Taking a record in is a map insertion, so it runs on the connector's event loop (a worker
 * hand-off per record capped consumption at ~1.5k records/s); sealing, which reads and writes the
 * object store, runs on one sealing thread, in the order batches complete.
 */
@ApplicationScoped
public class FormatterChannels {
    private static final Logger LOG = Logger.getLogger(FormatterChannels.class);

    private final PendingBatches<Message<?>> pending = new PendingBatches<>();
    private final FormatterService formatter;
    private final MeterRegistry meters;

    private final ExecutorService sealer = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "formatter-sealer");
        thread.setDaemon(true);
        return thread;
    });

    public FormatterChannels(FormatterService formatter, MeterRegistry meters) {
        this.formatter = formatter;
        this.meters = meters;
        meters.gauge("tuneloop.formatter.records.pending", pending, PendingBatches::heldRecords);
    }

    @Incoming(Channels.RAW_RECORDS_IN)
    public CompletionStage<Void> onRawRecord(Message<RawRecord> message) {
        RawRecord record = message.getPayload();
        meters.counter("tuneloop.formatter.records.received", "dataset", record.dataset()).increment();
        sealIfComplete(pending.addRecord(record, message));
        return CompletableFuture.completedFuture(null); // acknowledged when its batch is sealed
    }

    @Incoming(Channels.INGEST_BATCHES_IN)
    public CompletionStage<Void> onIngestBatch(Message<IngestBatch> message) {
        IngestBatch batch = message.getPayload();
        LOG.infof("batch %s of %s: %d records accepted", batch.batchId(), batch.dataset(), batch.recordsAccepted());
        sealIfComplete(pending.addSummary(batch, message));
        return CompletableFuture.completedFuture(null);
    }

    @Incoming(Channels.ROUND_REQUESTS_IN)
    @Blocking
    public CompletionStage<Void> onRoundRequest(Message<RoundRequest> message) {
        try {
            formatter.sealRound(message.getPayload());
            return message.ack();
        } catch (IllegalArgumentException e) {
            return message.nack(e); // to the dead-letter topic, with the reason
        }
    }

    private void sealIfComplete(Optional<PendingBatches.CompleteBatch<Message<?>>> complete) {
        complete.ifPresent(batch -> sealer.execute(() -> seal(batch)));
    }

    private void seal(PendingBatches.CompleteBatch<Message<?>> batch) {
        List<Message<?>> deliveries = batch.deliveries();
        if (batch.records().isEmpty()) {
            LOG.infof("batch %s of %s accepted no records: nothing to seal", batch.summary().batchId(),
                    batch.summary().dataset());
            deliveries.forEach(Message::ack);
            return;
        }
        try {
            formatter.sealBatch(batch.summary().dataset(), batch.summary().batchId(), batch.records());
            deliveries.forEach(Message::ack);
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot seal batch %s of %s", batch.summary().batchId(), batch.summary().dataset());
            deliveries.forEach(d -> d.nack(e));
        }
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        sealer.shutdown();
    }
}
