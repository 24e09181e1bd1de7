package io.tuneloop.eval.messaging;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.eval.evaluation.CheckpointIntake;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.Checkpoint;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Kafka side of the eval service. A thrown exception sends the event to the dead-letter topic. */
@ApplicationScoped
public class EvalChannels {
    private final CheckpointIntake intake;

    public EvalChannels(CheckpointIntake intake) {
        this.intake = intake;
    }

    @Incoming(Channels.CHECKPOINTS_IN)
    @Blocking
    public void onCheckpoint(Checkpoint checkpoint) {
        intake.accept(checkpoint);
    }
}
