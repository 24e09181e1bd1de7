package io.tuneloop.feedback.round;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.service.messaging.Events;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Instant;
import java.util.UUID;

/**
 * Starts a round: asks the formatter for the next dataset version built on a base version. The
 * rating-threshold policy and the export of rated samples come with the ratings API; this is the
 * admin call.
 */
@ApplicationScoped
public class RoundStarter {
    private final MutinyEmitter<RoundRequest> requests;
    private final MeterRegistry meters;

    public RoundStarter(@Channel(Channels.ROUND_REQUESTS_OUT) MutinyEmitter<RoundRequest> requests, MeterRegistry meters) {
        this.requests = requests;
        this.meters = meters;
    }

    public RoundRequest start(String dataset, int baseVersion, int round, String feedbackKey, long feedbackCount,
                              String reason) {
        RoundRequest request = new RoundRequest(UUID.randomUUID().toString(), dataset, round, baseVersion, feedbackKey,
                feedbackCount, reason, Instant.now());
        requests.sendMessageAndAwait(Events.message(Topics.ROUND_REQUESTS, dataset, request,
                "round-request:" + request.requestId()));
        meters.counter("tuneloop.feedback.rounds.requested", "dataset", dataset).increment();
        return request;
    }
}
