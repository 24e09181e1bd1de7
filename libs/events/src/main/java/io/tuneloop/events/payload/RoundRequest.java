package io.tuneloop.events.payload;

import java.time.Instant;

/**
 * A request for the next round's dataset: the base dataset plus feedback samples.
 *
 * @param requestId     unique id (idempotency key of the round)
 * @param dataset       dataset whose next version is wanted
 * @param round         the round number being prepared (1 = first feedback round)
 * @param baseVersion   the dataset version the round builds on
 * @param feedbackKey   object-store key of the JSONL of rated/corrected samples
 * @param feedbackCount number of samples in it
 * @param preferencesKey object-store key of the JSONL of (prompt, chosen, rejected) preference pairs, if any
 * @param preferenceCount number of pairs in it
 * @param lineageKey    object-store key of the round's lineage: every sample with the items and ratings behind it
 * @param reason        why the round started (policy threshold, admin call)
 * @param requestedAt   when
 * @param requestedBy   who asked for it: an admin's token user, or {@code service:feedback/round-policy}
 */
public record RoundRequest(String requestId, String dataset, int round, int baseVersion, String feedbackKey,
                           long feedbackCount, String preferencesKey, long preferenceCount, String lineageKey,
                           String reason, Instant requestedAt, String requestedBy) {
    public RoundRequest(String requestId, String dataset, int round, int baseVersion, String feedbackKey,
                        long feedbackCount, String preferencesKey, long preferenceCount, String lineageKey,
                        String reason, Instant requestedAt) {
        this(requestId, dataset, round, baseVersion, feedbackKey, feedbackCount, preferencesKey, preferenceCount,
                lineageKey, reason, requestedAt, null);
    }

    public RoundRequest {
        Require.texts("requestId", requestId, "dataset", dataset);
        Require.nonNegatives("feedbackCount", feedbackCount, "preferenceCount", preferenceCount);
        Require.positives("round", round, "baseVersion", baseVersion);
        Require.present(requestedAt, "requestedAt");
    }
}
