package io.tuneloop.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.EvalResult;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalog: every topic of tuneloop, once. Services name these constants; no topic name or
 * payload shape is spelled anywhere else. Who consumes and produces what is in {@link Service}.
 */
public final class Topics {
    // Names as constants only so that Channels can build annotation values from them.
    static final String RAW_INPUT_NAME = "raw-input";
    static final String RAW_RECORDS_NAME = "raw-records";
    static final String INGEST_BATCHES_NAME = "ingest-batches";
    static final String ROUND_REQUESTS_NAME = "round-requests";
    static final String DATASET_VERSIONS_NAME = "dataset-versions";
    static final String TRAINING_SHARDS_NAME = "training-shards";
    static final String TRAINING_PROGRESS_NAME = "training-progress";
    static final String CHECKPOINTS_NAME = "checkpoints";
    static final String EVAL_RESULTS_NAME = "eval-results";
    static final String REVIEW_ITEMS_NAME = "review-items";
    static final String RATINGS_NAME = "ratings";

    /** Raw JSON objects streamed in by external producers, keyed by dataset name; any source format. */
    public static final Topic<String, JsonNode> RAW_INPUT = new Topic<>(RAW_INPUT_NAME, String.class,
            JsonNode.class, "io.tuneloop.raw-input.v1", "dataset name", 3);

    /** Validated, deduplicated raw records, keyed by dataset so one dataset's records stay ordered. */
    public static final Topic<String, RawRecord> RAW_RECORDS = new Topic<>(RAW_RECORDS_NAME, String.class,
            RawRecord.class, "io.tuneloop.raw-record.v1", "dataset name", 3);

    /** One summary per ingested upload: what was read, accepted, rejected; the formatter's completeness signal. */
    public static final Topic<String, IngestBatch> INGEST_BATCHES = new Topic<>(INGEST_BATCHES_NAME, String.class,
            IngestBatch.class, "io.tuneloop.ingest-batch.v1", "dataset name", 3);

    /** Requests for the next round's dataset: base data plus rated/corrected samples. */
    public static final Topic<String, RoundRequest> ROUND_REQUESTS = new Topic<>(ROUND_REQUESTS_NAME, String.class,
            RoundRequest.class, "io.tuneloop.round-request.v1", "dataset name", 1);

    /** Sealed dataset versions; the manifest exists in the object store before this event is sent. */
    public static final Topic<String, DatasetVersion> DATASET_VERSIONS = new Topic<>(DATASET_VERSIONS_NAME,
            String.class, DatasetVersion.class, "io.tuneloop.dataset-version.v1", "dataset name", 1);

    /** Work items of a training run, one per step range; trainer instances share them as a consumer group. */
    public static final Topic<String, TrainingShard> TRAINING_SHARDS = new Topic<>(TRAINING_SHARDS_NAME,
            String.class, TrainingShard.class, "io.tuneloop.training-shard.v1", "run id", 6);

    /** Progress of running shards (step, loss, tokens/s), for watchers and dashboards. */
    public static final Topic<String, TrainingProgress> TRAINING_PROGRESS = new Topic<>(TRAINING_PROGRESS_NAME,
            String.class, TrainingProgress.class, "io.tuneloop.training-progress.v1", "run id", 3);

    /** Checkpoints whose files and manifest are complete in the object store. */
    public static final Topic<String, Checkpoint> CHECKPOINTS = new Topic<>(CHECKPOINTS_NAME, String.class,
            Checkpoint.class, "io.tuneloop.checkpoint.v1", "run id", 3);

    /** Evaluation verdicts of checkpoints; the full report is in the object store. */
    public static final Topic<String, EvalResult> EVAL_RESULTS = new Topic<>(EVAL_RESULTS_NAME, String.class,
            EvalResult.class, "io.tuneloop.eval-result.v1", "run id", 3);

    /** Sample responses for human review. */
    public static final Topic<String, ReviewItem> REVIEW_ITEMS = new Topic<>(REVIEW_ITEMS_NAME, String.class,
            ReviewItem.class, "io.tuneloop.review-item.v1", "review item id", 3);

    /** Human ratings: the source of truth for every feedback view. */
    public static final Topic<String, Rating> RATINGS = new Topic<>(RATINGS_NAME, String.class, Rating.class,
            "io.tuneloop.rating.v1", "review item id", 3);

    /** Every topic, in the order a round flows through them. */
    public static final List<Topic<String, ?>> ALL = List.of(RAW_INPUT, RAW_RECORDS, INGEST_BATCHES, ROUND_REQUESTS,
            DATASET_VERSIONS, TRAINING_SHARDS, TRAINING_PROGRESS, CHECKPOINTS, EVAL_RESULTS, REVIEW_ITEMS, RATINGS);

    private static final Map<String, Topic<String, ?>> BY_NAME = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(Topic::name, Function.identity()));

    private Topics() {
    }

    public static Optional<Topic<String, ?>> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Every dead-letter topic: one per (consumed topic, consuming service). */
    public static List<String> deadLetterTopics() {
        return Service.ALL.stream()
                .flatMap(service -> service.consumes().stream().map(topic -> topic.deadLetterTopic(service)))
                .sorted()
                .toList();
    }
}
