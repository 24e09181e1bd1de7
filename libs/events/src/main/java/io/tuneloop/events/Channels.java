package io.tuneloop.events;

/**
 * Channel names as compile-time constants, for {@code @Incoming}/{@code @Channel} annotations.
 * They are built from the topic names in {@link Topics}, so a channel can only name a catalog topic;
 * {@code TopicsTest} checks that every constant here matches its {@link Topic}.
 */
public final class Channels {
    public static final String INCOMING_SUFFIX = "-in";
    public static final String OUTGOING_SUFFIX = "-out";

    public static final String RAW_INPUT_IN = Topics.RAW_INPUT_NAME + INCOMING_SUFFIX;
    public static final String RAW_RECORDS_IN = Topics.RAW_RECORDS_NAME + INCOMING_SUFFIX;
    public static final String RAW_RECORDS_OUT = Topics.RAW_RECORDS_NAME + OUTGOING_SUFFIX;
    public static final String INGEST_BATCHES_IN = Topics.INGEST_BATCHES_NAME + INCOMING_SUFFIX;
    public static final String INGEST_BATCHES_OUT = Topics.INGEST_BATCHES_NAME + OUTGOING_SUFFIX;
    public static final String ROUND_REQUESTS_IN = Topics.ROUND_REQUESTS_NAME + INCOMING_SUFFIX;
    public static final String ROUND_REQUESTS_OUT = Topics.ROUND_REQUESTS_NAME + OUTGOING_SUFFIX;
    public static final String DATASET_VERSIONS_IN = Topics.DATASET_VERSIONS_NAME + INCOMING_SUFFIX;
    public static final String DATASET_VERSIONS_OUT = Topics.DATASET_VERSIONS_NAME + OUTGOING_SUFFIX;
    public static final String TRAINING_SHARDS_IN = Topics.TRAINING_SHARDS_NAME + INCOMING_SUFFIX;
    public static final String TRAINING_SHARDS_OUT = Topics.TRAINING_SHARDS_NAME + OUTGOING_SUFFIX;
    public static final String TRAINING_PROGRESS_OUT = Topics.TRAINING_PROGRESS_NAME + OUTGOING_SUFFIX;
    public static final String CHECKPOINTS_IN = Topics.CHECKPOINTS_NAME + INCOMING_SUFFIX;
    public static final String CHECKPOINTS_OUT = Topics.CHECKPOINTS_NAME + OUTGOING_SUFFIX;
    public static final String EVAL_RESULTS_OUT = Topics.EVAL_RESULTS_NAME + OUTGOING_SUFFIX;
    public static final String REVIEW_ITEMS_IN = Topics.REVIEW_ITEMS_NAME + INCOMING_SUFFIX;
    public static final String REVIEW_ITEMS_OUT = Topics.REVIEW_ITEMS_NAME + OUTGOING_SUFFIX;
    public static final String RATINGS_IN = Topics.RATINGS_NAME + INCOMING_SUFFIX;
    public static final String RATINGS_OUT = Topics.RATINGS_NAME + OUTGOING_SUFFIX;

    private Channels() {
    }
}
