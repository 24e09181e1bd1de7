package io.tuneloop.store;

/**
 * Where each kind of artifact lives in the bucket: the one place that spells the object layout.
 * Multi-object artifacts have a manifest written last; a prefix without it does not exist yet.
 */
public final class ArtifactLayout {
    public static final String MANIFEST = "manifest.json";

    private ArtifactLayout() {
    }

    /** Prefix of content-addressed raw uploads: {@code raw/<sha256>}. */
    public static String rawPrefix() {
        return "raw/";
    }

    /** Rejected records of one ingest batch, one JSON object per line. */
    public static String quarantine(String dataset, String batchId) {
        return "quarantine/" + dataset + "/" + batchId + ".jsonl";
    }

    /** Prefix of the ingest records of every dataset (one folder per dataset name). */
    public static String ingestPrefix() {
        return "ingest/";
    }

    /** The summary of a committed ingest batch: written after its Kafka transaction commits. */
    public static String ingestBatch(String dataset, String batchId) {
        return ingestBatchesPrefix(dataset) + batchId + ".json";
    }

    /** Prefix of the summaries of a dataset's committed ingest batches (uploads and stream batches). */
    public static String ingestBatchesPrefix(String dataset) {
        return ingestPrefix() + dataset + "/batches/";
    }

    /** Prefix of the dedup entries of a dataset's committed batches (one object per batch). */
    public static String ingestDedupPrefix(String dataset) {
        return ingestPrefix() + dataset + "/dedup/";
    }

    /** The ids and MinHash signatures a committed batch added to its dataset's dedup index. */
    public static String ingestDedup(String dataset, String batchId) {
        return ingestDedupPrefix(dataset) + batchId + ".bin";
    }

    /**
     * Through which raw-input offset of a partition the dataset's stream batches are closed: input
     * redelivered after a crash up to there is in a closed batch already.
     */
    public static String ingestStreamCursor(String dataset, int partition) {
        return ingestPrefix() + dataset + "/stream-cursors/" + partition + ".json";
    }

    /** Prefix of every version of a dataset. */
    public static String datasetPrefix(String dataset) {
        return "datasets/" + dataset + "/";
    }

    /** How the dataset's versions are built (phrasings, splits, mixing, chat format, tokenizer). */
    public static String datasetSpec(String dataset) {
        return datasetPrefix(dataset) + "spec.json";
    }

    /** Raw records of the dataset's complete ingest batches, kept by the formatter to rebuild versions. */
    public static String datasetRawPrefix(String dataset) {
        return datasetPrefix(dataset) + "raw/";
    }

    public static String datasetRawBatch(String dataset, String batchId) {
        return datasetRawPrefix(dataset) + batchId + ".jsonl";
    }

    /** How many distinct records the formatter kept of a batch (for reconciliation with ingest). */
    public static String datasetRawBatchCount(String dataset, String batchId) {
        return datasetRawPrefix(dataset) + batchId + ".count.json";
    }

    /** Operator-added template families (YAML), layered over the built-in library. */
    public static String templatesPrefix() {
        return "templates/";
    }

    public static String datasetVersionPrefix(String dataset, int version) {
        return datasetPrefix(dataset) + "v" + version + "/";
    }

    public static String datasetManifest(String dataset, int version) {
        return datasetVersionPrefix(dataset, version) + MANIFEST;
    }

    /** Base models in Hugging Face layout. */
    public static String modelPrefix(String model) {
        return "models/" + model + "/";
    }

    public static String runPrefix(String runId) {
        return "runs/" + runId + "/";
    }

    /** The spec a run was started with. */
    public static String runSpec(String runId) {
        return runPrefix(runId) + "spec.json";
    }

    /** Present while a run is cancelled (written by the API, read by the shard that is training). */
    public static String runCancelled(String runId) {
        return runPrefix(runId) + "cancelled";
    }

    /** The final artifacts of a run: {@code merged/} (a full model) and, for LoRA, {@code adapter/}. */
    public static String runFinal(String runId) {
        return runPrefix(runId) + "final/";
    }

    /** One shard's checkpoint: model or adapter files, trainer state, then the manifest. */
    public static String checkpointPrefix(String runId, int shardIndex) {
        return runPrefix(runId) + "shard-" + shardIndex + "/";
    }

    /** Names the checkpoint whose report is the final one of a dataset's feedback round. */
    public static String evalRoundFinal(String dataset, int round) {
        return "eval/rounds/" + dataset + "/round-" + round;
    }

    /** Operator-added prompt files, one suite each ({@code <name>.jsonl}). */
    public static String evalSuitesPrefix() {
        return "eval/suites/";
    }

    /** The human-readable report next to report.json. */
    public static String evalReportMarkdown(String checkpointId) {
        return "eval/" + checkpointId + "/report.md";
    }

    public static String evalReport(String checkpointId) {
        return "eval/" + checkpointId + "/report.json";
    }

    /** Everything the feedback service exported for a dataset's round. */
    public static String feedbackRoundPrefix(String dataset, int round) {
        return "feedback/" + dataset + "/round-" + round + "/";
    }

    /** Rated and corrected samples that feed a round (SFT), one raw record per line. */
    public static String feedbackSamples(String dataset, int round) {
        return feedbackRoundPrefix(dataset, round) + "sft.jsonl";
    }

    /** Preference pairs of a round, one (prompt, chosen, rejected) record per line. */
    public static String feedbackPreferences(String dataset, int round) {
        return feedbackRoundPrefix(dataset, round) + "preferences.jsonl";
    }

    /** Which items and ratings every sample of a round came from, and the policy that chose them. */
    public static String feedbackLineage(String dataset, int round) {
        return feedbackRoundPrefix(dataset, round) + "lineage.json";
    }
}
