package io.tuneloop.trainer.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.store.Artifacts;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.store.RunArtifacts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a checkpoint came from, followed through the artifacts each stage sealed: the checkpoint's
 * manifest names its run and dataset version; the version's manifest names its sources, which are
 * ingest batches (an upload, an import, a stream batch) and, for a feedback round, the round
 * request whose lineage file names every sample's item and ratings. Nothing here is kept on the
 * side: the answer is only as good as the sealed artifacts, which is the point.
 *
 * @param checkpoint     the checkpoint itself
 * @param run            the run that wrote it
 * @param datasetVersion the version it was trained on
 * @param uploads        the ingest batches whose records the version holds
 * @param feedbackRounds the feedback rounds whose samples the version holds
 * @param ratings        every rating (id@version) behind those samples
 * @param missing        artifacts the lineage names but the store does not have
 */
public record CheckpointLineage(Checkpoint checkpoint, Run run, DatasetVersionRef datasetVersion, List<Upload> uploads,
                                List<FeedbackRound> feedbackRounds, List<String> ratings, List<String> missing) {

    public record Checkpoint(String runId, int shard, long step, String manifestKey, boolean last, Double trainLoss,
                             Double validationLoss, Instant createdAt) {
    }

    /** @param startedBy who started the run (a user, or {@code service:trainer/policy:<name>}) */
    public record Run(String runId, String baseModel, String baseModelKey, String mode, int round, long totalSteps,
                      long seed, String specKey, String startedBy) {
    }

    public record DatasetVersionRef(String dataset, int version, int round, String manifestKey, String contentChecksum,
                                    long recordCount, Map<String, Long> splitCounts, List<String> sources) {
    }

    /** An ingest batch: what was uploaded, by whom, when, and what became of its records. */
    public record Upload(String batchId, String sourceName, String sourceKey, String sourceFormat, long recordsAccepted,
                         long recordsRejected, long recordsDuplicate, Instant completedAt, String principal) {
    }

    /**
     * A feedback round: its request, who asked for it (an admin, or {@code service:feedback/round-policy}),
     * its files and the samples and ratings it contributed.
     */
    public record FeedbackRound(int round, String requestId, String samplesKey, String lineageKey, long samples,
                                long acceptedRatings, List<Sample> sampleSources, String requestedBy) {
    }

    /** One feedback sample: the reviewed item it came from and the ratings that approved or corrected it. */
    public record Sample(String kind, String itemId, String checkpointId, List<String> ratings) {
    }

    private static final Pattern ROUND_SOURCE = Pattern.compile("round-request:.*round-(\\d+)$");

    /**
     * Follows the lineage of checkpoint {@code shard} of {@code runId}.
     *
     * @param read the object store: key to content, empty when there is no such object
     * @return empty when the checkpoint is not sealed (no manifest)
     */
    public static Optional<CheckpointLineage> of(String runId, int shard, Function<String, Optional<byte[]>> read) {
        String manifestKey = Artifacts.CHECKPOINT_MANIFEST.key(new Artifacts.CheckpointRef(runId, shard));
        Optional<Artifacts.CheckpointManifest> manifest = read.apply(manifestKey)
                .map(b -> EventJson.fromBytes(b, Artifacts.CheckpointManifest.class));
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        Artifacts.CheckpointManifest m = manifest.get();
        List<String> missing = new ArrayList<>();
        Checkpoint checkpoint = new Checkpoint(runId, shard, m.step(), manifestKey, m.last(), m.trainLoss(),
                m.validationLoss(), m.createdAt());

        String specKey = Artifacts.RUN_SPEC.key(runId);
        Optional<RunSpec> spec = read.apply(specKey).map(b -> EventJson.fromBytes(b, RunSpec.class));
        if (spec.isEmpty()) {
            missing.add(specKey);
        }
        Run run = new Run(runId, m.baseModel(), Artifacts.MODEL.prefix(m.baseModel()), m.mode(),
                spec.map(RunSpec::round).orElse(0), spec.map(RunSpec::totalSteps).orElse(0L),
                spec.map(RunSpec::seed).orElse(0L), specKey, spec.map(RunSpec::startedBy).orElse(null));

        String versionKey = Artifacts.DATASET_MANIFEST.key(new Artifacts.Version(m.dataset(), m.datasetVersion()));
        Optional<DatasetManifest> version = read.apply(versionKey).map(b -> EventJson.fromBytes(b, DatasetManifest.class));
        if (version.isEmpty()) {
            missing.add(versionKey);
            return Optional.of(new CheckpointLineage(checkpoint, run, new DatasetVersionRef(m.dataset(), m.datasetVersion(),
                    0, versionKey, null, 0, Map.of(), List.of()), List.of(), List.of(), List.of(), missing));
        }
        DatasetManifest v = version.get();
        List<Upload> uploads = new ArrayList<>();
        List<FeedbackRound> rounds = new ArrayList<>();
        Set<String> ratings = new LinkedHashSet<>();
        for (String source : v.sourceBatches()) {
            Matcher round = ROUND_SOURCE.matcher(source);
            if (round.find()) {
                int number = Integer.parseInt(round.group(1));
                Artifacts.Round feedbackRound = new Artifacts.Round(v.dataset(), number);
                String lineageKey = Artifacts.ROUND_LINEAGE.key(feedbackRound);
                Optional<JsonNode> lineage = read.apply(lineageKey).map(b -> EventJson.fromBytes(b, JsonNode.class));
                if (lineage.isEmpty()) {
                    missing.add(lineageKey);
                    continue;
                }
                List<Sample> samples = new ArrayList<>();
                for (JsonNode s : lineage.get().path("samples")) {
                    List<String> ofSample = new ArrayList<>();
                    s.path("ratings").forEach(r -> ofSample.add(r.asText()));
                    ratings.addAll(ofSample);
                    samples.add(new Sample(s.path("kind").asText(), s.path("itemId").asText(),
                            s.path("checkpointId").asText(), ofSample));
                }
                lineage.get().path("preferences").forEach(p -> p.path("ratings").forEach(r -> ratings.add(r.asText())));
                rounds.add(new FeedbackRound(number, source.substring("round-request:".length()),
                        Artifacts.ROUND_SAMPLES.key(feedbackRound), lineageKey, samples.size(),
                        lineage.get().path("acceptedRatings").asLong(), samples,
                        lineage.get().hasNonNull("requestedBy") ? lineage.get().get("requestedBy").asText() : null));
            } else {
                String batchKey = Artifacts.INGEST_BATCH.key(new Artifacts.Batch(v.dataset(), source));
                Optional<IngestBatch> batch = read.apply(batchKey).map(b -> EventJson.fromBytes(b, IngestBatch.class));
                if (batch.isEmpty()) {
                    missing.add(batchKey);
                    uploads.add(new Upload(source, null, null, null, 0, 0, 0, null, null));
                } else {
                    IngestBatch b = batch.get();
                    uploads.add(new Upload(b.batchId(), b.sourceName(), b.sourceKey(), b.sourceFormat(),
                            b.recordsAccepted(), b.recordsRejected(), b.recordsDuplicate(), b.completedAt(), b.principal()));
                }
            }
        }
        DatasetVersionRef versionRef = new DatasetVersionRef(v.dataset(), v.version(), v.round(), versionKey,
                v.contentChecksum(), v.recordCount(), v.splitCounts(), v.sourceBatches());
        return Optional.of(new CheckpointLineage(checkpoint, run, versionRef, uploads, rounds, List.copyOf(ratings), missing));
    }
}
