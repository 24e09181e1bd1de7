package io.tuneloop.trainer.flow;

import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;

/** What the runs flow announces; each returns once the broker has it. */
public interface RunEvents {
    void shard(TrainingShard shard);

    void checkpoint(Checkpoint checkpoint);

    void progress(TrainingProgress progress);
}
