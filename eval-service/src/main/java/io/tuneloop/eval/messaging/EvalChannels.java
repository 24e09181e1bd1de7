package io.tuneloop.eval.messaging;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.eval.flow.CheckpointIntake;
import io.tuneloop.eval.flow.Evaluations;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.service.resilience.Retrier;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * Kafka side of the eval service. A checkpoint is acknowledged once its report is written and its
 * events sent; an evaluation cut off by a crash is redelivered and redone, one cut off by a store or
 * broker outage is redone when it is back. Any other exception sends the event to the dead-letter
 * topic with the reason.
 */
@ApplicationScoped
public class EvalChannels {
    @Inject CheckpointIntake intake;
    @Inject Evaluations evaluations;
    @Inject Retrier retrier;

    @Incoming(Channels.CHECKPOINTS_IN)
    @Blocking
    public CompletionStage<Void> onCheckpoint(Checkpoint checkpoint) {
        // an outage of the store or broker is waited out and the evaluation redone (it is deterministic)
        return retrier.handle("evaluate checkpoint: " + checkpoint.checkpointId(), () -> {
            intake.accept(checkpoint);
            evaluations.evaluate(checkpoint);
            intake.evaluated(checkpoint);
        });
    }
}
