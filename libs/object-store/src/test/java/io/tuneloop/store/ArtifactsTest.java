package io.tuneloop.store;

import io.tuneloop.store.Artifacts.Batch;
import io.tuneloop.store.Artifacts.CheckpointRef;
import io.tuneloop.store.Artifacts.Round;
import io.tuneloop.store.Artifacts.Version;
import io.tuneloop.store.Artifacts.VersionFile;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactsTest {
    /** Buckets written before the catalog existed keep working: every key is what it was. */
    @Test
    void keysAreTheLayoutBucketsAlreadyHold() {
        Batch batch = new Batch("alpaca", "upload-0123");
        assertThat(Artifacts.INGEST_BATCH.key(batch)).isEqualTo("ingest/alpaca/batches/upload-0123.json");
        assertThat(Artifacts.INGEST_DEDUP.key(batch)).isEqualTo("ingest/alpaca/dedup/upload-0123.bin");
        assertThat(Artifacts.QUARANTINE.key(batch)).isEqualTo("quarantine/alpaca/upload-0123.jsonl");
        assertThat(Artifacts.RAW_BATCH.key(batch)).isEqualTo("datasets/alpaca/raw/upload-0123.jsonl");
        assertThat(Artifacts.RAW_BATCH_COUNT.key(batch)).isEqualTo("datasets/alpaca/raw/upload-0123.count.json");
        assertThat(Artifacts.DATASET_SPEC.key("alpaca")).isEqualTo("datasets/alpaca/spec.json");
        assertThat(Artifacts.DATASET_MANIFEST.key(new Version("alpaca", 3))).isEqualTo("datasets/alpaca/v3/manifest.json");
        assertThat(Artifacts.DATASET_SHARD.key(new VersionFile(new Version("alpaca", 3), "train-00000.jsonl")))
                .isEqualTo("datasets/alpaca/v3/train-00000.jsonl");
        assertThat(Artifacts.MODEL.prefix("stories260k")).isEqualTo("models/stories260k/");
        assertThat(Artifacts.RUN_SPEC.key("run-1")).isEqualTo("runs/run-1/spec.json");
        assertThat(Artifacts.RUN_CANCELLED.key("run-1")).isEqualTo("runs/run-1/cancelled");
        assertThat(Artifacts.RUN_FINAL.prefix("run-1")).isEqualTo("runs/run-1/final/");
        assertThat(Artifacts.CHECKPOINT_MANIFEST.key(new CheckpointRef("run-1", 2))).isEqualTo("runs/run-1/shard-2/manifest.json");
        assertThat(Artifacts.EVAL_REPORT.key(CheckpointRef.of("run-1/shard-2"))).isEqualTo("eval/run-1/shard-2/report.json");
        assertThat(Artifacts.EVAL_ROUND_FINAL.key(new Round("alpaca", 1))).isEqualTo("eval/rounds/alpaca/round-1");
        assertThat(Artifacts.REVIEW_POOL.key(new Artifacts.ReviewPoolFile("alpaca", "traffic")))
                .isEqualTo("review-pools/alpaca/traffic.jsonl");
        assertThat(Artifacts.REVIEW_POOL.address("review-pools/alpaca/traffic.jsonl"))
                .contains(new Artifacts.ReviewPoolFile("alpaca", "traffic"));
        assertThat(Artifacts.ROUND_SAMPLES.key(new Round("alpaca", 1))).isEqualTo("feedback/alpaca/round-1/sft.jsonl");
    }

    @Test
    void keysParseBackToTheirAddressAndOthersDoNot() {
        assertThat(Artifacts.INGEST_BATCH.address("ingest/alpaca/batches/stream-p0-12.json"))
                .contains(new Batch("alpaca", "stream-p0-12"));
        assertThat(Artifacts.INGEST_BATCH.address("ingest/alpaca/dedup/stream-p0-12.bin")).isEmpty();
        assertThat(Artifacts.RAW_BATCH.address("datasets/alpaca/raw/b.count.json")).isEmpty();
        assertThat(Artifacts.DATASET_VERSION.address("datasets/alpaca/v12/")).contains(new Version("alpaca", 12));
        assertThat(Artifacts.DATASET_VERSION.address("datasets/alpaca/raw/")).isEmpty();
        assertThat(Artifacts.CHECKPOINT.address("runs/run-1/final/")).isEmpty();
        assertThat(Artifacts.EVAL_CHECKPOINT.address("eval/run-1/shard-0/")).contains(new CheckpointRef("run-1", 0));
        assertThat(Artifacts.MODEL.address("models/stories260k/")).contains("stories260k");
        assertThat(new CheckpointRef("run-1", 4).id()).isEqualTo("run-1/shard-4");
    }

    @Test
    void aPartThatWouldChangeTheKeysShapeIsRefused() {
        assertThatThrownBy(() -> Artifacts.DATASET_SPEC.key("../runs")).hasMessageContaining("holds a '/'");
        assertThatThrownBy(() -> Artifacts.INGEST_BATCH.key(new Batch("", "b"))).hasMessageContaining("empty");
        assertThatThrownBy(() -> CheckpointRef.of("run-1")).hasMessageContaining("not a checkpoint id");
    }

    @Test
    void prefixesListWhatStartsWithTheLeadingParts() {
        KeyTemplate<Batch> template = new KeyTemplate<>("ingest/{}/batches/{}.json",
                b -> new Object[] {b.dataset(), b.batchId()}, v -> new Batch(v[0], v[1]));
        assertThat(template.prefix("alpaca")).isEqualTo("ingest/alpaca/batches/");
        assertThat(template.prefix()).isEqualTo("ingest/");
    }
}
