package io.tuneloop.events;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The five services and the topics each consumes and produces: the wiring diagram of a round,
 * in one place. The Quarkus channel configuration of each service is generated from this.
 *
 * @param id       short name, also the Kafka consumer group suffix and the DLQ suffix
 * @param consumes topics read (each gets an incoming channel and a dead-letter topic)
 * @param produces topics written (each gets an outgoing channel)
 */
public record Service(String id, Set<Topic<String, ?>> consumes, Set<Topic<String, ?>> produces) {

    public static final Service INGEST = new Service("ingest",
            Set.of(Topics.RAW_INPUT),
            Set.of(Topics.RAW_RECORDS, Topics.INGEST_BATCHES));

    public static final Service FORMATTER = new Service("formatter",
            Set.of(Topics.RAW_RECORDS, Topics.INGEST_BATCHES, Topics.ROUND_REQUESTS),
            Set.of(Topics.DATASET_VERSIONS));

    public static final Service TRAINER = new Service("trainer",
            Set.of(Topics.DATASET_VERSIONS, Topics.TRAINING_SHARDS),
            Set.of(Topics.TRAINING_SHARDS, Topics.TRAINING_PROGRESS, Topics.CHECKPOINTS));

    public static final Service EVAL = new Service("eval",
            Set.of(Topics.CHECKPOINTS),
            Set.of(Topics.EVAL_RESULTS, Topics.REVIEW_ITEMS));

    public static final Service FEEDBACK = new Service("feedback",
            Set.of(Topics.REVIEW_ITEMS, Topics.RATINGS, Topics.ROUND_REQUESTS),
            Set.of(Topics.RATINGS, Topics.ROUND_REQUESTS));

    public static final List<Service> ALL = List.of(INGEST, FORMATTER, TRAINER, EVAL, FEEDBACK);

    public Service {
        consumes = Set.copyOf(consumes);
        produces = Set.copyOf(produces);
    }

    public static Optional<Service> byId(String id) {
        return ALL.stream().filter(s -> s.id.equals(id)).findFirst();
    }

    public boolean consumes(Topic<?, ?> topic) {
        return consumes.contains(topic);
    }

    public boolean produces(Topic<?, ?> topic) {
        return produces.contains(topic);
    }

    /** The Kafka consumer group of this service: all its instances share the work. */
    public String consumerGroup() {
        return "tuneloop-" + id;
    }

    /** The CloudEvents {@code source} of events this service produces. */
    public String eventSource() {
        return "/tuneloop/" + id;
    }
}
