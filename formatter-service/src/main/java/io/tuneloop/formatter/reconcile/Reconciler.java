package io.tuneloop.formatter.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.formatter.messaging.FormatterChannels;
import io.tuneloop.formatter.store.DatasetRepository;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.ObjectInfo;
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
    private final Map<String, IngestBatch> summaries = new ConcurrentHashMap<>();
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
        String prefix = ArtifactLayout.ingestBatchesPrefix(dataset);
        for (ObjectInfo object : store.list(prefix)) {
            IngestBatch summary = summaries.computeIfAbsent(object.key(),
                    key -> EventJson.fromBytes(store.getBytes(key), IngestBatch.class));
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
        Set<String> names = new HashSet<>();
        for (String prefix : store.listPrefixes(ArtifactLayout.ingestPrefix())) {
            names.add(prefix.substring(ArtifactLayout.ingestPrefix().length(), prefix.length() - 1));
        }
        return names;
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
