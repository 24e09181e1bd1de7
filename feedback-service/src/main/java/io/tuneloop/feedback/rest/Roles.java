package io.tuneloop.feedback.rest;

/** The roles of the ratings API, from the token's {@code groups} claim. */
public final class Roles {
    /** Fetches items and rates them; sees only their own ratings. */
    public static final String RATER = "rater";
    /** Reads every rating, aggregates and agreement. */
    public static final String REVIEWER = "reviewer";
    /** A reviewer who may also start rounds. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
