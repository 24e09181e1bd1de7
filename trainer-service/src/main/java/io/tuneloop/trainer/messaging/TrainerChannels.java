package io.tuneloop.trainer.messaging;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.trainer.run.TrainerService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Kafka side of the trainer. A thrown exception sends the event to the channel's dead-letter topic. */
@ApplicationScoped
public class TrainerChannels {
    private final TrainerService trainer;

    public TrainerChannels(TrainerService trainer) {
        this.trainer = trainer;
    }

    @Incoming(Channels.DATASET_VERSIONS_IN)
    @Blocking
    public void onDatasetVersion(DatasetVersion version) {
        trainer.acceptDatasetVersion(version);
    }

    @Incoming(Channels.TRAINING_SHARDS_IN)
    @Blocking
    public void onShard(TrainingShard shard) {
        trainer.acceptShard(shard);
    }
}
