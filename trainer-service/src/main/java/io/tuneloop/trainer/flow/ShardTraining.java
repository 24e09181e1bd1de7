package io.tuneloop.trainer.flow;

import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.store.Artifacts.CheckpointManifest;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Trains one shard of a run on this machine and seals its checkpoint in the store, and writes a
 * run's final artifacts: the part of a run that needs the model library and local files.
 */
public interface ShardTraining {
    /**
     * What a shard came to: its sealed checkpoint, or nothing when it was cancelled part way.
     *
     * @param stoppedAtStep   the step it stopped at when cancelled
     * @param trainNanos      loading, training and saving locally
     * @param uploadNanos     sealing the checkpoint in the store
     * @param checkpointBytes the checkpoint's size
     */
    record Trained(CheckpointManifest checkpoint, long stoppedAtStep, long trainNanos, long uploadNanos,
                   long checkpointBytes) {
        public static Trained cancelledAt(long step) {
            return new Trained(null, step, 0, 0, 0);
        }

        public boolean cancelled() {
            return checkpoint == null;
        }
    }

    /**
     * Trains steps [fromStep, toStep) of the shard from the previous shard's checkpoint (or the base)
     * and seals this shard's checkpoint, manifest last.
     *
     * @param last      whether it is the run's last shard (recorded in the manifest)
     * @param onStep    called after every step
     * @param cancelled polled between steps
     */
    Trained train(RunSpec spec, TrainingShard shard, boolean last, Consumer<StepRecord> onStep, BooleanSupplier cancelled);

    /** Writes the run's final artifacts from its last checkpoint, unless they are written already. */
    void writeFinal(RunSpec spec, int lastShard);
}
