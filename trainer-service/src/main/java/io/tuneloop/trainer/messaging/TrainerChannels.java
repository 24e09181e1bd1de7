package io.tuneloop.trainer.messaging;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.service.resilience.Retrier;
import io.tuneloop.trainer.flow.RunPolicies;
import io.tuneloop.trainer.flow.Runs;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * Kafka side of the trainer. A shard is acknowledged when it returns (checkpoint sealed and the next
 * shard sent); a trainer that dies mid-shard never acknowledges it, so the consumer group hands it
 * to the next instance. A store or broker outage is waited out (the shard is trained again from its
 * last checkpoint); any other exception sends the event to the channel's dead-letter topic with the
 * reason, and the run is reported FAILED (resume it through the API once the cause is fixed).
 */
@ApplicationScoped
public class TrainerChannels {
    @Inject Runs trainer;
    @Inject RunPolicies policies;
    @Inject Retrier retrier;

    @Incoming(Channels.DATASET_VERSIONS_IN)
    @Blocking
    public CompletionStage<Void> onDatasetVersion(DatasetVersion version) {
        return retrier.handle("accept dataset version: " + version.dataset() + " v" + version.version(), () -> {
            trainer.acceptDatasetVersion(version);
            policies.onDatasetVersion(version);
        });
    }

    /** A shard that meets an outage is trained again from its last checkpoint once the store and broker are back. */
    @Incoming(Channels.TRAINING_SHARDS_IN)
    @Blocking
    public CompletionStage<Void> onShard(TrainingShard shard) {
        return retrier.handle("train shard: " + shard.shardId(), () -> trainer.executeShard(shard));
    }
}
