package io.tuneloop.eval.flow;

import io.tuneloop.events.payload.EvalResult;
import io.tuneloop.events.payload.ReviewItem;

/** What the evaluations flow announces; each returns once the broker has it. */
public interface EvalEvents {
    void result(EvalResult result);

    void reviewItem(ReviewItem item);
}
