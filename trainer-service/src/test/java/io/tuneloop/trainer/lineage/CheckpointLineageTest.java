package io.tuneloop.trainer.lineage;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.store.Artifacts;
import io.tuneloop.trainer.store.RunArtifacts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointLineageTest {
    private static final Instant AT = Instant.parse("2026-11-22T10:00:00Z");
    private final Map<String, byte[]> store = new HashMap<>();

    private Optional<byte[]> read(String key) {
        return Optional.ofNullable(store.get(key));
    }

    private void checkpoint(String run, int shard, String dataset, int version) {
        store.put(Artifacts.CHECKPOINT.prefix(new Artifacts.CheckpointRef(run, shard)) + Artifacts.MANIFEST, EventJson.toBytes(
                new io.tuneloop.store.Artifacts.CheckpointManifest(run, shard, 100L * (shard + 1), "full", "tiny", dataset, version,
                        1.5, 1.7, true, List.of(), AT)));
    }

    private void version(String dataset, int version, int round, List<String> sources) {
        store.put(Artifacts.DATASET_MANIFEST.key(new Artifacts.Version(dataset, version)), EventJson.toBytes(new DatasetManifest(dataset, version,
                round, new DatasetSpec(null, null, null, null, null, null, null, null, null, null, null, null, null, null),
                "lib", sources, 10, Map.of("train", 9L), Map.of(), Map.of(), Map.of(), Map.of(), List.of(), "sum" + version, AT)));
    }

    @Test
    void aFeedbackRoundCheckpointLeadsToItsUploadsAndTheRatingsBehindEverySample() {
        version("ds", 2, 1, List.of("upload-a", "round-request:feedback:ds:round-1"));
        checkpoint("r2", 1, "ds", 2);
        store.put(Artifacts.INGEST_BATCH.key(new Artifacts.Batch("ds", "upload-a")), EventJson.toBytes(new IngestBatch("upload-a", "ds",
                "raw/abc", "seed.jsonl", "jsonl", 12, 10, 1, 1, null, AT)));
        store.put(Artifacts.ROUND_LINEAGE.key(new Artifacts.Round("ds", 1)), """
                {"acceptedRatings": 6, "samples": [
                  {"kind": "approved", "itemId": "i1", "checkpointId": "r1/shard-0", "ratings": ["ra@1", "rb@1"]},
                  {"kind": "corrected", "itemId": "i2", "checkpointId": "r1/shard-0", "ratings": ["rc@2", "rd@1"]}],
                 "preferences": [{"ratings": ["re@1", "ra@1"]}]}""".getBytes(StandardCharsets.UTF_8));

        CheckpointLineage lineage = CheckpointLineage.of("r2", 1, this::read).orElseThrow();

        assertThat(lineage.checkpoint().step()).isEqualTo(200);
        assertThat(lineage.run().baseModelKey()).isEqualTo("models/tiny/");
        assertThat(lineage.datasetVersion().version()).isEqualTo(2);
        assertThat(lineage.datasetVersion().round()).isEqualTo(1);
        assertThat(lineage.uploads()).singleElement().satisfies(u -> {
            assertThat(u.sourceName()).isEqualTo("seed.jsonl");
            assertThat(u.recordsAccepted()).isEqualTo(10);
        });
        assertThat(lineage.feedbackRounds()).singleElement().satisfies(r -> {
            assertThat(r.requestId()).isEqualTo("feedback:ds:round-1");
            assertThat(r.samples()).isEqualTo(2);
            assertThat(r.acceptedRatings()).isEqualTo(6);
            assertThat(r.sampleSources()).extracting(CheckpointLineage.Sample::itemId).containsExactly("i1", "i2");
        });
        assertThat(lineage.ratings()).containsExactly("ra@1", "rb@1", "rc@2", "rd@1", "re@1");
        // the run spec was never written in this store: said, not hidden
        assertThat(lineage.missing()).containsExactly(Artifacts.RUN_SPEC.key("r2"));
    }

    @Test
    void anUnsealedCheckpointHasNoLineageAndAMissingBatchIsNamed() {
        assertThat(CheckpointLineage.of("r1", 0, this::read)).isEmpty();
        version("ds", 1, 0, List.of("upload-gone"));
        checkpoint("r1", 0, "ds", 1);
        CheckpointLineage lineage = CheckpointLineage.of("r1", 0, this::read).orElseThrow();
        assertThat(lineage.uploads()).singleElement().satisfies(u -> assertThat(u.batchId()).isEqualTo("upload-gone"));
        assertThat(lineage.missing()).contains(Artifacts.INGEST_BATCH.key(new Artifacts.Batch("ds", "upload-gone")));
        assertThat(lineage.feedbackRounds()).isEmpty();
        assertThat(lineage.ratings()).isEmpty();
    }
}
