package io.tuneloop.formatter.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.formatter.dataset.PendingBatches;
import io.tuneloop.formatter.flow.Sealing;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.service.resilience.Retrier;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Kafka side of the formatter. Raw records are acknowledged only once the version holding them is
 * sealed and announced, so a crash before that redelivers them (offsets are not committed past
 * them); redelivered records are deduplicated by id and an already-sealed batch is not sealed twice.
 * A seal that meets a store or broker outage waits for it (readiness DOWN) and never dead-letters.
 *
 * <p>Taking a record in is a map insertion, so it runs on the connector's event loop (a worker
 * hand-off per record capped consumption at ~1.5k records/s); sealing, which reads and writes the
 * object store, runs on one sealing thread, in the order batches complete.
 */
@ApplicationScoped
public class FormatterChannels {
    private static final Logger LOG = Logger.getLogger(FormatterChannels.class);

    /** How long a held batch may go without news before the sweep asks the store whether it was sealed already. */
    private static final long SWEEP_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How long records of a stream batch may wait for its summary before they count as orphans. */
    private static final long ORPHAN_IDLE_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final PendingBatches<Message<?>> pending = new PendingBatches<>();
    private final Sealing formatter;
    private final Retrier retrier;
    private final MeterRegistry meters;
    /** Batches sealed (or found sealed) by this process: late redeliveries of them are acknowledged at once. */
    private final java.util.Set<String> sealed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService sealer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "formatter-sealer");
        thread.setDaemon(true);
        return thread;
    });

    public FormatterChannels(Sealing formatter, Retrier retrier, MeterRegistry meters) {
        this.formatter = formatter;
        this.retrier = retrier;
        this.meters = meters;
        meters.gauge("tuneloop.formatter.records.pending", pending, PendingBatches::heldRecords);
        sealer.scheduleWithFixedDelay(this::sweep, 30, 30, TimeUnit.SECONDS);
    }

    /** What this process holds, by dataset/batch id (for the reconciliation). */
    public java.util.Map<String, PendingBatches.Held> held() {
        return pending.held();
    }

    @Incoming(Channels.RAW_RECORDS_IN)
    public CompletionStage<Void> onRawRecord(Message<RawRecord> message) {
        RawRecord record = message.getPayload();
        meters.counter("tuneloop.formatter.records.received", "dataset", record.dataset()).increment();
        if (sealed.contains(record.dataset() + "/" + record.batchId())) {
            return message.ack(); // a redelivery of a batch already sealed
        }
        sealIfComplete(pending.addRecord(record, message));
        return CompletableFuture.completedFuture(null); // acknowledged when its batch is sealed
    }

    @Incoming(Channels.INGEST_BATCHES_IN)
    public CompletionStage<Void> onIngestBatch(Message<IngestBatch> message) {
        IngestBatch batch = message.getPayload();
        LOG.infof("batch %s of %s: %d records accepted", batch.batchId(), batch.dataset(), batch.recordsAccepted());
        if (sealed.contains(batch.dataset() + "/" + batch.batchId())) {
            return message.ack();
        }
        sealIfComplete(pending.addSummary(batch, message));
        return CompletableFuture.completedFuture(null);
    }

    @Incoming(Channels.ROUND_REQUESTS_IN)
    @Blocking
    public CompletionStage<Void> onRoundRequest(Message<RoundRequest> message) {
        RoundRequest request = message.getPayload();
        return retrier.handle("seal round: " + request.requestId(), () -> formatter.sealRound(request))
                .thenCompose(sealed -> message.ack())
                .exceptionallyCompose(e -> message.nack(e)); // bad input: to the dead-letter topic, with the reason
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
        String batchId = batch.summary().batchId();
        try {
            // a store or broker outage is waited out here, the records unacknowledged: only input that
            // can never be sealed goes to the dead-letter topic
            retrier.untilDone("seal batch: " + batchId,
                    () -> formatter.sealBatch(batch.summary().dataset(), batchId, batch.records()));
            sealed.add(batch.summary().dataset() + "/" + batchId);
            deliveries.forEach(Message::ack);
        } catch (RuntimeException e) {
            if (Faults.isTransient(e)) { // stopping while waiting for the store: redelivered after the restart
                LOG.warnf("batch %s of %s left unacknowledged: %s", batchId, batch.summary().dataset(), e.getMessage());
                return;
            }
            LOG.errorf(e, "cannot seal batch %s of %s", batchId, batch.summary().dataset());
            deliveries.forEach(d -> d.nack(e));
        }
    }

    /**
     * Acknowledges held parts of batches that were sealed before: after a crash, the records of a
     * sealed batch can come back without their summary (or the summary without its records), and would
     * otherwise be held forever.
     */
    private void sweep() {
        try {
            List<Message<?>> done = pending.dropSealed(SWEEP_IDLE_NANOS, (batchId, dataset) -> {
                boolean wasSealed = formatter.isSealed(dataset, batchId);
                if (wasSealed) {
                    sealed.add(dataset + "/" + batchId);
                }
                return wasSealed;
            });
            done.forEach(Message::ack);
            // records of a stream batch without a summary after this long belong to a batch that will
            // not be announced (its input was redelivered into a batch of another first position, or
            // dropped). Holding them would stall the topic's offsets forever; they are parked, not
            // dropped: if the summary does come, re-driving the dead-letter topic completes the batch
            List<Message<?>> orphaned = pending.dropOrphans(ORPHAN_IDLE_NANOS,
                    batchId -> batchId.startsWith(IngestBatch.STREAM_BATCH_PREFIX));
            if (!orphaned.isEmpty()) {
                LOG.warnf("parked %d records of stream batches not announced within 10 minutes", orphaned.size());
                IllegalStateException reason = new IllegalStateException("a record of a stream batch that was not"
                        + " announced within 10 minutes");
                orphaned.forEach(m -> m.nack(reason));
            }
        } catch (RuntimeException e) {
            LOG.warnf("sweep of held batches failed (%s); next sweep retries", e.getMessage());
        }
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        sealer.shutdown();
    }
}
