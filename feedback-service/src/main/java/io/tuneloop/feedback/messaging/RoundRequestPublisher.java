package io.tuneloop.feedback.messaging;

import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.feedback.flow.Rounds;
import io.tuneloop.events.Actor;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.feedback.flow.RoundPorts;
import io.tuneloop.service.messaging.Events;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Round requests on their topic, with an id per (dataset, round): a repeat is the same request. */
@ApplicationScoped
public class RoundRequestPublisher implements RoundPorts.Requests {
    @Inject @Channel(Channels.ROUND_REQUESTS_OUT) MutinyEmitter<RoundRequest> requests;
    @Inject DatasetOwners owners;

    @Override
    public void send(RoundRequest request) {
        requests.sendMessageAndAwait(Events.message(Topics.ROUND_REQUESTS, request.dataset(), request,
                "round-request:" + request.requestId(), new Actor(request.requestedBy() == null ? Rounds.POLICY_PRINCIPAL
                        : request.requestedBy(), owners.teamOf(request.dataset()))));
    }
}
