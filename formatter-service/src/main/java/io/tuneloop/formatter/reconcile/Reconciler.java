package io.tuneloop.formatter.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.formatter.messaging.FormatterChannels;
import io.tuneloop.formatter.store.DatasetRepository;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reconciles each dataset (see {@link Reconciliation}) from the store: ingest's batch summaries,
 * the formatter's kept batches and sealed versions, and the batches this process holds. Every
 * 30 seconds it publishes {@code tuneloop_formatter_records_unsealed{dataset}} (accepted minus
 * sealed), which the {@code RecordsNotSealed} alert watches.
 */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final ArtifactStore store;
    private final DatasetRepository repository;
    private final FormatterChannels channels;
    private final MeterRegistry meters;
    /** Summaries never change once stored: read each once. */
    private final Map<Artifacts.Batch, IngestBatch> summaries = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> unsealed = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;

    public Reconciler(ArtifactStore store, DatasetRepository repository, FormatterChannels channels,
                      MeterRegistry meters) {
        this.store = store;
        this.repository = repository;
        this.channels = channels;
        this.meters = meters;
    }

    void start(@Observes StartupEvent started) {
        scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "formatter-reconciler");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::publish, 5, 30, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent stopped) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    public Reconciliation reconcile(String dataset) {
        Map<String, IngestBatch> accepted = new HashMap<>();
        for (Artifacts.Batch batch : Artifacts.INGEST_BATCH.list(store, dataset)) {
            IngestBatch summary = summaries.computeIfAbsent(batch, b -> Artifacts.INGEST_BATCH.read(store, b));
            accepted.put(summary.batchId(), summary);
        }
        Map<String, Reconciliation.Holding> holding = new HashMap<>();
        channels.held().values().forEach(held -> {
            if (held.dataset().equals(dataset)) {
                holding.put(held.batchId(), new Reconciliation.Holding(held.records()));
                if (held.summary() != null) {
                    accepted.merge(held.batchId(), held.summary(),
                            (stored, announced) -> announced.recordsAccepted() > stored.recordsAccepted() ? announced : stored);
                }
            }
        });
        Set<String> inVersion = new HashSet<>();
        for (DatasetManifest manifest : repository.versions(dataset)) {
            inVersion.addAll(manifest.sourceBatches());
        }
        return Reconciliation.of(dataset, accepted, repository.keptRecordCounts(dataset), inVersion, holding);
    }

    /** Datasets ingest accepted records for. */
    private Set<String> datasets() {
        return new HashSet<>(Artifacts.INGESTED_DATASETS.list(store));
    }

    private void publish() {
        try {
            for (String dataset : datasets()) {
                long difference = reconcile(dataset).difference();
                unsealed.computeIfAbsent(dataset, d -> meters.gauge("tuneloop.formatter.records.unsealed",
                        Tags.of("dataset", d), new AtomicLong(), AtomicLong::get)).set(difference);
            }
        } catch (RuntimeException e) {
            // the store is down: the gauges keep their last values, the next run refreshes them
            LOG.debugf("reconciliation skipped: %s", e.getMessage());
        }
    }
}
