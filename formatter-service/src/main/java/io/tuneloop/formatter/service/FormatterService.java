package io.tuneloop.formatter.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.formatter.DatasetManifest;
import io.tuneloop.formatter.InstructionRecord;
import io.tuneloop.formatter.config.FormatterConfig;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.formatter.dataset.Splitter;
import io.tuneloop.formatter.store.DatasetRepository;
import io.tuneloop.formatter.template.AlpacaTemplate;
import io.tuneloop.service.messaging.Events;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Seals dataset versions: from a complete ingest batch, or from a round request (a base version
 * plus feedback samples). Sealing is idempotent: a source already sealed into a version is not
 * sealed again; its event is re-sent (with the same event id, so consumers see one event).
 * Seals are serialised so that two sources never claim the same version number.
 */
@ApplicationScoped
public class FormatterService {
    private static final Logger LOG = Logger.getLogger(FormatterService.class);

    private final DatasetRepository repository;
    private final DatasetBuilder builder;
    private final FormatterConfig config;
    private final MutinyEmitter<DatasetVersion> versions;
    private final MeterRegistry meters;

    public FormatterService(DatasetRepository repository, FormatterConfig config,
                            @Channel(Channels.DATASET_VERSIONS_OUT) MutinyEmitter<DatasetVersion> versions,
                            MeterRegistry meters) {
        this.repository = repository;
        this.config = config;
        this.builder = new DatasetBuilder(new Splitter(config.validationFraction()), config.recordsPerShard());
        this.versions = versions;
        this.meters = meters;
    }

    /** Seals the records of one complete ingest batch as the dataset's next version. */
    public synchronized DatasetVersion sealBatch(String dataset, String batchId, List<RawRecord> records) {
        Optional<DatasetManifest> existing = repository.versionContaining(dataset, batchId);
        if (existing.isPresent()) {
            LOG.infof("batch %s of %s is already in v%d; re-announcing it", batchId, dataset, existing.get().version());
            return announce(existing.get());
        }
        DatasetBuilder.Built built = builder.build(builder.format(records));
        return announce(seal(dataset, 0, List.of(batchId), built));
    }

    /** Seals the next round's version: the base version's records plus the feedback samples. */
    public synchronized DatasetVersion sealRound(RoundRequest request) {
        String source = "round-request:" + request.requestId();
        Optional<DatasetManifest> existing = repository.versionContaining(request.dataset(), source);
        if (existing.isPresent()) {
            return announce(existing.get());
        }
        DatasetManifest base = repository.manifest(request.dataset(), request.baseVersion())
                .orElseThrow(() -> new IllegalArgumentException("round request " + request.requestId()
                        + " names " + request.dataset() + " v" + request.baseVersion() + ", which does not exist"));
        List<InstructionRecord> records = new ArrayList<>(repository.records(base));
        if (request.feedbackKey() != null) {
            records.addAll(builder.format(readFeedback(request.feedbackKey())));
        }
        List<String> sources = new ArrayList<>(base.sourceBatches());
        sources.add(source);
        return announce(seal(request.dataset(), request.round(), sources, builder.build(records)));
    }

    private DatasetManifest seal(String dataset, int round, List<String> sources, DatasetBuilder.Built built) {
        DatasetManifest manifest = repository.seal(dataset, round, AlpacaTemplate.ID, config.validationFraction(),
                sources, built);
        meters.counter("tuneloop.formatter.versions.sealed", "dataset", dataset).increment();
        meters.counter("tuneloop.formatter.records.sealed", "dataset", dataset).increment(manifest.recordCount());
        LOG.infof("sealed %s v%d: %d records %s, checksum %s", dataset, manifest.version(), manifest.recordCount(),
                manifest.splitCounts(), manifest.contentChecksum());
        return manifest;
    }

    private DatasetVersion announce(DatasetManifest manifest) {
        DatasetVersion event = new DatasetVersion(manifest.dataset(), manifest.version(),
                DatasetRepository.manifestKey(manifest.dataset(), manifest.version()), manifest.recordCount(),
                manifest.splitCounts(), manifest.sourceBatches(), manifest.contentChecksum(), manifest.round(),
                manifest.sealedAt());
        // Blocks until the broker has it (acks=all): only then are the inputs acknowledged.
        versions.sendMessageAndAwait(Events.message(Topics.DATASET_VERSIONS, manifest.dataset(), event,
                "dataset-version:" + manifest.dataset() + ":v" + manifest.version()));
        return event;
    }

    private List<RawRecord> readFeedback(String key) {
        List<RawRecord> samples = new ArrayList<>();
        for (String line : new String(repository.object(key), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                samples.add(EventJson.fromBytes(line.getBytes(StandardCharsets.UTF_8), RawRecord.class));
            }
        }
        return samples;
    }
}
