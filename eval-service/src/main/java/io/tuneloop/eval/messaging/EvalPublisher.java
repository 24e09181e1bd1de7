package io.tuneloop.eval.messaging;

import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.events.Service;
import io.tuneloop.events.Actor;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.eval.flow.EvalEvents;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.EvalResult;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.service.messaging.Events;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Results and review items on their topics, with ids derived from the checkpoint (a repeat is the same event). */
@ApplicationScoped
public class EvalPublisher implements EvalEvents {
    @Inject @Channel(Channels.EVAL_RESULTS_OUT) MutinyEmitter<EvalResult> results;
    @Inject @Channel(Channels.REVIEW_ITEMS_OUT) MutinyEmitter<ReviewItem> reviewItems;
    @Inject DatasetOwners owners;

    @Override
    public void result(EvalResult result) {
        results.sendMessageAndAwait(Events.message(Topics.EVAL_RESULTS, result.runId(), result,
                "eval-result:" + result.checkpointId()));
    }

    @Override
    public void reviewItem(ReviewItem item) {
        reviewItems.sendMessageAndAwait(Events.message(Topics.REVIEW_ITEMS, item.dataset(), item,
                "review-item:" + item.itemId(), Actor.service(Service.EVAL, "review-pool", owners.teamOf(item.dataset()))));
    }
}
