package io.tuneloop.tokens;

import java.util.List;

/**
 * The roles a bearer token's {@code groups} claim can hold, with least privilege: each role may do
 * one kind of thing. Every service's routes name the roles that may call them; {@link #ADMIN} may
 * call every route and sees every team's objects.
 */
public final class Roles {
    /** Puts data in: uploads, imports, dataset specs, versions, templates. */
    public static final String DATA = "data";
    /** Starts, cancels and resumes training runs. */
    public static final String TRAINER = "trainer";
    /** Reads every rating of the team, aggregates and agreement. */
    public static final String REVIEWER = "reviewer";
    /** Fetches review items and rates them; sees only their own ratings. */
    public static final String RATER = "rater";
    /** Reads: datasets, versions, runs, lineage, reports. */
    public static final String VIEWER = "viewer";
    /** Everything, across teams: rounds by hand, dead-letter redrives. */
    public static final String ADMIN = "admin";

    public static final List<String> ALL = List.of(DATA, TRAINER, REVIEWER, RATER, VIEWER, ADMIN);

    /** The claim that names the caller's team: the owner of what they create, the scope of what they see. */
    public static final String TEAM_CLAIM = "team";

    private Roles() {
    }
}
