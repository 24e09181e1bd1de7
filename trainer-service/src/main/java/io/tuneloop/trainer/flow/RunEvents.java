package io.tuneloop.trainer.flow;

import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;

/** What the runs flow announces; each returns once the broker has it. */
public interface RunEvents {
    /** A shard to train, of the run {@code of} (whose starter and dataset the event names). */
    void shard(TrainingShard shard, RunSpec of);

    void checkpoint(Checkpoint checkpoint, RunSpec of);

    void progress(TrainingProgress progress);
}
