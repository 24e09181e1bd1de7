package io.tuneloop.trainer.messaging;

import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.events.Actor;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.service.messaging.Events;
import io.tuneloop.trainer.flow.RunEvents;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * The runs flow's events on their topics, each sent and acknowledged (acks=all) before it returns.
 * Shard and checkpoint events carry ids derived from the shard, so a repeat after a crash is the
 * same event to its consumers.
 */
@ApplicationScoped
public class TrainerEvents implements RunEvents {
    @Inject @Channel(Channels.TRAINING_SHARDS_OUT) MutinyEmitter<TrainingShard> shards;
    @Inject @Channel(Channels.TRAINING_PROGRESS_OUT) MutinyEmitter<TrainingProgress> progress;
    @Inject @Channel(Channels.CHECKPOINTS_OUT) MutinyEmitter<Checkpoint> checkpoints;
    @Inject DatasetOwners owners;

    @Override
    public void shard(TrainingShard shard, RunSpec of) {
        shards.sendMessageAndAwait(Events.message(Topics.TRAINING_SHARDS, shard.runId(), shard,
                "training-shard:" + shard.shardId(), actor(of)));
    }

    @Override
    public void checkpoint(Checkpoint checkpoint, RunSpec of) {
        checkpoints.sendMessageAndAwait(Events.message(Topics.CHECKPOINTS, checkpoint.runId(), checkpoint,
                "checkpoint:" + checkpoint.checkpointId(), actor(of)));
    }

    /** Who started the run (a run stored before principals were recorded names none), for its dataset's team. */
    private Actor actor(RunSpec run) {
        return new Actor(run.startedBy() == null ? "unknown" : run.startedBy(), owners.teamOf(run.dataset()));
    }

    @Override
    public void progress(TrainingProgress update) {
        progress.sendMessageAndAwait(Events.message(Topics.TRAINING_PROGRESS, update.runId(), update, null));
    }
}
