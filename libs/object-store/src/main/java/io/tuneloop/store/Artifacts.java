package io.tuneloop.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;

import java.time.Instant;
import java.util.List;

/**
 * The artifact catalog: every kind of object tuneloop keeps in the bucket, with its key shape and
 * format, as {@code Topics} is for events. The one place that spells a key; services name an
 * artifact by its entry and address. Multi-object artifacts ({@link ArtifactFolder}) have a manifest
 * written last where readers must not see them half-written.
 *
 * <p>Documents only one service reads are declared as JSON here and read as that service's type
 * through {@link Artifact#as(Class)} (a run spec is the trainer's, a suite selection eval's).
 */
public final class Artifacts {
    private Artifacts() {
    }

    // ------------------------------------------------------------------------------------ addresses

    /** An ingest batch of a dataset (batch ids are unique within a dataset). */
    public record Batch(String dataset, String batchId) {
    }

    /** One partition of a dataset's streamed input. */
    public record StreamPartition(String dataset, int partition) {
    }

    public record Version(String dataset, int version) {
    }

    /** A file of a dataset version (a shard: {@code train-00000.jsonl}). */
    public record VersionFile(Version version, String name) {
    }

    /** The checkpoint of one shard of a run. */
    public record CheckpointRef(String runId, int shard) {
        /** The id events carry: {@code <runId>/shard-<k>}. */
        public String id() {
            return runId + "/shard-" + shard;
        }

        /** The checkpoint an event's id names. */
        public static CheckpointRef of(String checkpointId) {
            int slash = checkpointId.lastIndexOf("/shard-");
            if (slash <= 0) {
                throw new IllegalArgumentException("not a checkpoint id: " + checkpointId);
            }
            return new CheckpointRef(checkpointId.substring(0, slash),
                    Integer.parseInt(checkpointId.substring(slash + "/shard-".length())));
        }
    }

    /** A feedback round of a dataset. */
    public record Round(String dataset, int round) {
    }

    // ------------------------------------------------------------------------------------ documents

    /**
     * A sealed checkpoint's manifest.
     *
     * @param files the checkpoint's files with checksums, in upload order
     */
    public record CheckpointManifest(String runId, int shardIndex, long step, String mode, String baseModel,
                                     String dataset, int datasetVersion, Double trainLoss, Double validationLoss,
                                     boolean last, List<ArtifactCommit.PartInfo> files, Instant createdAt) {
    }

    /** How many distinct records the formatter kept of a batch. */
    public record KeptCount(String batchId, long records) {
    }

    public static final String MANIFEST = "manifest.json";

    // ------------------------------------------------------------------------------------ ingest

    /** Raw uploads, content-addressed: {@code raw/<sha256>}. */
    public static final String RAW_UPLOADS = "raw/";

    /** The datasets ingest has received batches for. */
    public static final ArtifactFolder<String> INGESTED_DATASETS = new ArtifactFolder<>(KeyTemplate.named("ingest/{}/"));

    /** The summary of a committed ingest batch: the marker that says it is complete. */
    public static final Artifact<Batch, IngestBatch> INGEST_BATCH = new Artifact<>(batch("ingest/{}/batches/{}.json"),
            Format.json(IngestBatch.class));

    /** The ids and MinHash signatures a committed batch added to its dataset's dedup index. */
    public static final Artifact<Batch, byte[]> INGEST_DEDUP = new Artifact<>(batch("ingest/{}/dedup/{}.bin"), Format.BYTES);

    /** Rejected records of one ingest batch with their reasons (ingest's {@code Rejection}s). */
    public static final Artifact<Batch, List<JsonNode>> QUARANTINE = new Artifact<>(batch("quarantine/{}/{}.jsonl"),
            Format.jsonLines(JsonNode.class));

    /** Through which raw-input offset of a partition a dataset's stream batches are closed. */
    public static final Artifact<StreamPartition, JsonNode> STREAM_CURSOR = new Artifact<>(new KeyTemplate<>(
            "ingest/{}/stream-cursors/{}.json", p -> new Object[] {p.dataset(), p.partition()},
            v -> new StreamPartition(v[0], Integer.parseInt(v[1]))), Format.json(JsonNode.class));

    // ------------------------------------------------------------------------------------ owners

    /**
     * The team that owns a dataset and everything made from it (versions, runs, checkpoints,
     * reports, review items, rounds). Written once, by the first write of a team to the dataset.
     *
     * @param claimedBy the principal whose request claimed it
     */
    public record DatasetOwner(String dataset, String team, String claimedBy, Instant claimedAt) {
    }

    public static final Artifact<String, DatasetOwner> DATASET_OWNER = new Artifact<>(
            KeyTemplate.named("owners/datasets/{}.json"), Format.json(DatasetOwner.class));

    /**
     * One change of a dataset's spec: who set it, when, and the spec as stored then. Kept (one object
     * per change, never overwritten) so the history of who changed how data is built survives.
     */
    public record SpecChange(String dataset, String changedBy, Instant changedAt, DatasetSpec spec) {
    }

    /** A spec change of {@code dataset}; {@code id} orders them (the change's time, then a random part). */
    public record SpecChangeRef(String dataset, String id) {
    }

    public static final Artifact<SpecChangeRef, SpecChange> DATASET_SPEC_CHANGE = new Artifact<>(new KeyTemplate<>(
            "datasets/{}/spec-changes/{}.json", r -> new Object[]{r.dataset(), r.id()},
            v -> new SpecChangeRef(v[0], v[1])), Format.json(SpecChange.class));

    // ------------------------------------------------------------------------------------ formatter

    public static final ArtifactFolder<String> DATASETS = new ArtifactFolder<>(KeyTemplate.named("datasets/{}/"));

    /** How the dataset's versions are built (phrasings, splits, mixing, chat format, tokenizer). */
    public static final Artifact<String, DatasetSpec> DATASET_SPEC = DATASETS.file("spec.json", Format.json(DatasetSpec.class));

    /** Raw records of a complete ingest batch, sorted by id, kept by the formatter to rebuild versions. */
    public static final Artifact<Batch, List<RawRecord>> RAW_BATCH = new Artifact<>(batch("datasets/{}/raw/{}.jsonl"),
            Format.jsonLines(RawRecord.class));

    public static final Artifact<Batch, KeptCount> RAW_BATCH_COUNT = new Artifact<>(batch("datasets/{}/raw/{}.count.json"),
            Format.json(KeptCount.class));

    /** Operator-added template families (YAML), layered over the built-in library. */
    public static final Artifact<String, byte[]> TEMPLATES = new Artifact<>(KeyTemplate.named("templates/{}"), Format.BYTES);

    public static final ArtifactFolder<Version> DATASET_VERSION = new ArtifactFolder<>(new KeyTemplate<>(
            "datasets/{}/v{}/", v -> new Object[] {v.dataset(), v.version()},
            v -> new Version(v[0], Integer.parseInt(v[1]))));

    public static final Artifact<Version, DatasetManifest> DATASET_MANIFEST = DATASET_VERSION.file(MANIFEST,
            Format.json(DatasetManifest.class));

    private static final KeyTemplate<VersionFile> VERSION_FILE = new KeyTemplate<>(
            "datasets/{}/v{}/{}", f -> new Object[] {f.version().dataset(), f.version().version(), f.name()},
            v -> new VersionFile(new Version(v[0], Integer.parseInt(v[1])), v[2]));

    /** A shard of a sealed version: its examples in the version's order (the manifest names the shards). */
    public static final Artifact<VersionFile, List<InstructionRecord>> DATASET_SHARD = new Artifact<>(VERSION_FILE,
            Format.jsonLines(InstructionRecord.class));

    /** A shard of a sealed version's preference pairs (split {@code preferences}). */
    public static final Artifact<VersionFile, List<PreferenceExample>> PREFERENCE_SHARD = new Artifact<>(VERSION_FILE,
            Format.jsonLines(PreferenceExample.class));

    /** What a sealed version left out, with the reasons (the formatter's {@code Dropped}). */
    public static final Artifact<Version, List<JsonNode>> VERSION_QUARANTINE = DATASET_VERSION.file("quarantine.jsonl",
            Format.jsonLines(JsonNode.class));

    // ------------------------------------------------------------------------------------ trainer

    /** Base models in Hugging Face layout. */
    public static final ArtifactFolder<String> MODEL = new ArtifactFolder<>(KeyTemplate.named("models/{}/"));

    public static final Artifact<String, JsonNode> MODEL_CONFIG = MODEL.file("config.json", Format.json(JsonNode.class));

    public static final ArtifactFolder<String> RUN = new ArtifactFolder<>(KeyTemplate.named("runs/{}/"));

    /** The spec a run was started with (the trainer's {@code RunSpec}). */
    public static final Artifact<String, JsonNode> RUN_SPEC = RUN.file("spec.json", Format.json(JsonNode.class));

    /** Present while a run is cancelled (written by the API, read by the shard that is training). */
    public static final Artifact<String, byte[]> RUN_CANCELLED = RUN.file("cancelled", Format.BYTES);

    /** Which eval suites score a run's checkpoints (eval's {@code SuiteSelection}); all when absent. */
    public static final Artifact<String, JsonNode> RUN_EVAL_SELECTION = RUN.file("eval.json", Format.json(JsonNode.class));

    /** The final artifacts of a run: {@code merged/} (a full model) and, for LoRA, {@code adapter/}. */
    public static final ArtifactFolder<String> RUN_FINAL = new ArtifactFolder<>(KeyTemplate.named("runs/{}/final/"));

    public static final Artifact<String, JsonNode> RUN_FINAL_MANIFEST = RUN_FINAL.file(MANIFEST, Format.json(JsonNode.class));

    /** One shard's checkpoint: model or adapter files, trainer state, then the manifest. */
    public static final ArtifactFolder<CheckpointRef> CHECKPOINT = new ArtifactFolder<>(new KeyTemplate<>(
            "runs/{}/shard-{}/", c -> new Object[] {c.runId(), c.shard()},
            v -> new CheckpointRef(v[0], Integer.parseInt(v[1]))));

    public static final Artifact<CheckpointRef, CheckpointManifest> CHECKPOINT_MANIFEST = CHECKPOINT.file(MANIFEST,
            Format.json(CheckpointManifest.class));

    /** The file of a checkpoint with every step's loss of its shard (the trainer's {@code StepRecord}s, a JSON array). */
    public static final String STEPS_FILE = "steps.json";

    public static final Artifact<CheckpointRef, byte[]> CHECKPOINT_STEPS = CHECKPOINT.file(STEPS_FILE, Format.BYTES);

    // ------------------------------------------------------------------------------------ eval

    public static final ArtifactFolder<CheckpointRef> EVAL_CHECKPOINT = new ArtifactFolder<>(new KeyTemplate<>(
            "eval/{}/shard-{}/", c -> new Object[] {c.runId(), c.shard()},
            v -> new CheckpointRef(v[0], Integer.parseInt(v[1]))));

    /** A checkpoint's eval report (eval's {@code EvalReport}). */
    public static final Artifact<CheckpointRef, JsonNode> EVAL_REPORT = EVAL_CHECKPOINT.file("report.json",
            Format.json(JsonNode.class));

    /** The human-readable report next to report.json. */
    public static final Artifact<CheckpointRef, byte[]> EVAL_REPORT_MARKDOWN = EVAL_CHECKPOINT.file("report.md",
            Format.bytes("text/markdown; charset=utf-8"));

    /** Names (as text) the checkpoint whose report is the final one of a dataset's feedback round. */
    public static final Artifact<Round, byte[]> EVAL_ROUND_FINAL = new Artifact<>(round("eval/rounds/{}/round-{}"),
            Format.bytes("text/plain"));

    /** Operator-added prompt files, one suite each, named by the file. */
    public static final Artifact<String, byte[]> EVAL_SUITE = new Artifact<>(KeyTemplate.named("eval/suites/{}.jsonl"),
            Format.bytes(io.tuneloop.events.JsonLines.CONTENT_TYPE));

    /** A file of prompts a user puts up for review for one dataset (no eval suite's, never scored). */
    public record ReviewPoolFile(String dataset, String name) {
    }

    /**
     * Review-pool prompts: {@code review-pools/<dataset>/<name>.jsonl}, one {@code {"prompt": ...}} per
     * line (with optional {@code id}, {@code task}, {@code reference}). Eval answers them for raters
     * with every checkpoint of the dataset, as it answers the version's review split.
     */
    public static final Artifact<ReviewPoolFile, byte[]> REVIEW_POOL = new Artifact<>(new KeyTemplate<>(
            "review-pools/{}/{}.jsonl", r -> new Object[]{r.dataset(), r.name()}, v -> new ReviewPoolFile(v[0], v[1])),
            Format.bytes(io.tuneloop.events.JsonLines.CONTENT_TYPE));

    // ------------------------------------------------------------------------------------ feedback

    /** Everything the feedback service exported for a dataset's round. */
    public static final ArtifactFolder<Round> ROUND = new ArtifactFolder<>(round("feedback/{}/round-{}/"));

    /** Rated and corrected samples that feed a round (SFT), one raw record per line. */
    public static final Artifact<Round, List<RawRecord>> ROUND_SAMPLES = ROUND.file("sft.jsonl",
            Format.jsonLines(RawRecord.class));

    /**
     * Agreed preference pairs of a round, one preference raw record per line (the prompt in messages,
     * chosen and rejected beside it), sealed into the next version's preferences split.
     */
    public static final Artifact<Round, List<RawRecord>> ROUND_PREFERENCES = ROUND.file("preferences.jsonl",
            Format.jsonLines(RawRecord.class));

    /** Which items and ratings every sample of a round came from, and the policy that chose them. */
    public static final Artifact<Round, JsonNode> ROUND_LINEAGE = ROUND.file("lineage.json", Format.json(JsonNode.class));

    // ------------------------------------------------------------------------------------ helpers

    private static KeyTemplate<Batch> batch(String template) {
        return new KeyTemplate<>(template, b -> new Object[] {b.dataset(), b.batchId()}, v -> new Batch(v[0], v[1]));
    }

    private static KeyTemplate<Round> round(String template) {
        return new KeyTemplate<>(template, r -> new Object[] {r.dataset(), r.round()},
                v -> new Round(v[0], Integer.parseInt(v[1])));
    }
}
