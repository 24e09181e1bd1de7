package io.tuneloop.feedback.flow;

/** A round that cannot be previewed or started now, and why (the REST layer says it in HTTP). */
public class RoundRefused extends RuntimeException {
    public enum Why {
        /** No review items of the dataset wait for a round. */
        NOTHING_TO_ROUND,
        /** Items wait, but no sample qualifies yet. */
        NOTHING_QUALIFIES,
        /** The round was requested already. */
        ALREADY_REQUESTED,
        /** The items do not name the version they were trained on. */
        NO_BASE_VERSION,
        /** The views are still being rebuilt from the topics: retry shortly. */
        VIEWS_REBUILDING
    }

    private final Why why;

    public RoundRefused(Why why, String reason) {
        super(reason);
        this.why = why;
    }

    public Why why() {
        return why;
    }
}
