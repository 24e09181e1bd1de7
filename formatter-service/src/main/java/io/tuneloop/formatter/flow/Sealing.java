package io.tuneloop.formatter.flow;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.service.idempotency.Idempotency;
import io.tuneloop.store.Sha256;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Seals dataset versions. A complete ingest batch is kept (its raw records) and the next version is
 * built from every kept batch of the dataset with the dataset's spec; a round request seals a base
 * version plus feedback samples. Sealing is idempotent: a source already sealed into a version is not
 * sealed again; its event is re-sent (with the same event id, so consumers see one event). Seals are
 * serialised so that two sources never claim the same version number.
 *
 * <p>Plain Java over its ports: the store ({@link DatasetStore}), the formats ({@link Formats}),
 * the announcement ({@link VersionEvents}) and metrics.
 */
public final class Sealing {
    private static final Logger LOG = Logger.getLogger(Sealing.class);

    private final DatasetStore repository;
    private final Formats formats;
    private final VersionEvents versions;
    private final SealMetrics metrics;

    public Sealing(DatasetStore repository, Formats formats, VersionEvents versions, SealMetrics metrics) {
        this.repository = repository;
        this.formats = formats;
        this.versions = versions;
        this.metrics = metrics;
    }

    /** A builder for a spec: the template library in use and the spec's model tokenizer. */
    public DatasetBuilder builder(DatasetSpec spec) {
        return formats.builder(spec);
    }

    /** Checks a spec (its held-out templates exist, its model's tokenizer loads) and stores it. */
    public DatasetSpec saveSpec(String dataset, DatasetSpec spec) {
        builder(spec);
        repository.saveSpec(dataset, spec);
        return spec;
    }

    /** Keeps one complete ingest batch and seals the dataset's next version with it. */
    public synchronized DatasetVersion sealBatch(String dataset, String batchId, List<RawRecord> records) {
        return Idempotency.once(() -> repository.versionContaining(dataset, batchId).map(sealed -> {
            LOG.infof("batch %s of %s is already in v%d; announcing it again", batchId, dataset, sealed.version());
            return sealed;
        }), () -> {
            repository.saveRawBatch(dataset, batchId, records);
            return sealFromRawBatches(dataset, repository.spec(dataset), List.of());
        }, this::announce);
    }

    /** Whether a version holding the batch was sealed. */
    public boolean isSealed(String dataset, String batchId) {
        return repository.versionContaining(dataset, batchId).isPresent();
    }

    /**
     * Seals a version from every kept batch with the dataset's current spec (after the spec changed).
     * Rebuilding with an unchanged spec and batches returns the existing version.
     */
    public synchronized DatasetVersion rebuild(String dataset) {
        DatasetSpec spec = repository.spec(dataset);
        List<String> batches = repository.rawBatches(dataset);
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("dataset " + dataset + " has no complete batches to build from");
        }
        String source = "spec:" + Sha256.hex(EventJson.toBytes(spec)).substring(0, 16) + ":" + formats.templateDigest().substring(0, 16);
        return Idempotency.once(() -> repository.versions(dataset).stream()
                        .filter(m -> m.contains(source) && m.sourceBatches().containsAll(batches)).findFirst(),
                () -> sealFromRawBatches(dataset, spec, List.of(source)), this::announce);
    }

    /** Seals the next round's version: the base version's examples plus the feedback samples. */
    public synchronized DatasetVersion sealRound(RoundRequest request) {
        String source = "round-request:" + request.requestId();
        return Idempotency.once(() -> repository.versionContaining(request.dataset(), source),
                () -> sealRound(request, source), this::announce);
    }

    private DatasetManifest sealRound(RoundRequest request, String source) {
        DatasetManifest base = repository.manifest(request.dataset(), request.baseVersion())
                .orElseThrow(() -> new IllegalArgumentException("round request " + request.requestId()
                        + " names " + request.dataset() + " v" + request.baseVersion() + ", which does not exist"));
        DatasetBuilder builder = builder(base.spec());
        List<InstructionRecord> examples = new ArrayList<>(repository.records(base));
        List<PreferenceExample> pairs = new ArrayList<>(repository.preferences(base));
        Map<String, Long> dropped = new TreeMap<>(base.droppedByReason());
        List<DatasetBuilder.Dropped> quarantine = new ArrayList<>(repository.quarantine(base));
        if (request.feedbackKey() != null) {
            DatasetBuilder.Formatted feedback = builder.format(repository.roundSamples(request.feedbackKey()));
            examples.addAll(feedback.examples());
            pairs.addAll(feedback.preferences());
            feedback.droppedByReason().forEach((reason, n) -> dropped.merge(reason, n, Long::sum));
            quarantine.addAll(feedback.dropped());
        }
        if (request.preferencesKey() != null && request.preferenceCount() > 0) {
            DatasetBuilder.Formatted agreed = builder.format(repository.roundPreferences(request.preferencesKey()));
            pairs.addAll(agreed.preferences());
            agreed.droppedByReason().forEach((reason, n) -> dropped.merge(reason, n, Long::sum));
            quarantine.addAll(agreed.dropped());
        }
        List<String> sources = new ArrayList<>(base.sourceBatches());
        sources.add(source);
        DatasetBuilder.Built built = builder.build(new DatasetBuilder.Formatted(examples, pairs, dropped, quarantine));
        return seal(request.dataset(), request.round(), base.spec(), sources, built, System.nanoTime());
    }

    private DatasetManifest sealFromRawBatches(String dataset, DatasetSpec spec, List<String> extraSources) {
        long started = System.nanoTime();
        List<String> batches = repository.rawBatches(dataset);
        List<RawRecord> records = new ArrayList<>();
        batches.forEach(b -> records.addAll(repository.rawRecords(dataset, b)));
        DatasetBuilder builder = builder(spec);
        DatasetBuilder.Formatted formatted = builder.format(records);
        metrics.formatted(dataset, records.size(), formatted.droppedByReason(), System.nanoTime() - started);
        List<String> sources = new ArrayList<>(batches);
        sources.addAll(extraSources);
        return seal(dataset, 0, spec, sources, builder.build(formatted), started);
    }

    private DatasetManifest seal(String dataset, int round, DatasetSpec spec, List<String> sources,
                                 DatasetBuilder.Built built, long started) {
        DatasetManifest manifest = repository.seal(dataset, round, spec, formats.templateDigest(), sources, built);
        metrics.sealed(manifest, System.nanoTime() - started);
        LOG.infof("sealed %s v%d: %d examples %s, dropped %s, checksum %s", dataset, manifest.version(),
                manifest.recordCount(), manifest.splitCounts(), manifest.droppedByReason(), manifest.contentChecksum());
        return manifest;
    }

    private DatasetVersion announce(DatasetManifest manifest) {
        DatasetVersion event = new DatasetVersion(manifest.dataset(), manifest.version(),
                repository.manifestKey(manifest.dataset(), manifest.version()), manifest.recordCount(),
                manifest.splitCounts(), manifest.sourceBatches(), manifest.contentChecksum(), manifest.round(),
                manifest.sealedAt());
        versions.sealed(event); // only once the broker has it are the inputs acknowledged
        return event;
    }
}
