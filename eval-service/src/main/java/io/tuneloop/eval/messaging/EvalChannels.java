package io.tuneloop.eval.messaging;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.eval.evaluation.CheckpointIntake;
import io.tuneloop.eval.evaluation.EvalService;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.Checkpoint;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Kafka side of the eval service. A checkpoint is acknowledged once its report is written and its
 * events sent; an evaluation cut off by a crash is redelivered and redone. A thrown exception sends
 * the event to the dead-letter topic with the reason.
 */
@ApplicationScoped
public class EvalChannels {
    private final CheckpointIntake intake;
    private final EvalService evaluations;

    public EvalChannels(CheckpointIntake intake, EvalService evaluations) {
        this.intake = intake;
        this.evaluations = evaluations;
    }

    @Incoming(Channels.CHECKPOINTS_IN)
    @Blocking
    public void onCheckpoint(Checkpoint checkpoint) {
        intake.accept(checkpoint);
        evaluations.evaluate(checkpoint);
        intake.evaluated(checkpoint);
    }
}
