package io.tuneloop.feedback.flow;

import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.feedback.agreement.RatingStats;
import io.tuneloop.feedback.review.RatedItem;
import io.tuneloop.feedback.review.ReviewBoard;
import io.tuneloop.service.resilience.Faults;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the round policy: on every check (once the views have caught up) it plans the next round of
 * each dataset from the ratings of its current round's responses, and when the plan is due writes
 * the samples, preference pairs and lineage, then sends a round request naming them. Admins can
 * preview a plan and start it at any time.
 *
 * <p>Which rounds were requested is itself read back from the round requests topic, so a
 * restarted service does not request a round twice; the request id is derived from dataset and
 * round, so even two instances racing produce one round (the formatter seals once per request id).
 */
public final class Rounds {
    private static final Logger LOG = Logger.getLogger(Rounds.class);

    private final ReviewBoard board;
    private final RoundPolicy policy;
    private final RoundPorts.Exports exports;
    private final RoundPorts.Requests requests;
    private final RoundPorts.Views views;
    private final RoundPorts.Metrics metrics;
    private final Clock clock;
    private final boolean automatic;
    /** dataset -> highest round requested */
    private final Map<String, Integer> requestedRounds = new ConcurrentHashMap<>();

    /** @param automatic whether the policy starts rounds by itself (else only admins do) */
    public Rounds(ReviewBoard board, RoundPolicy policy, RoundPorts.Exports exports, RoundPorts.Requests requests,
                  RoundPorts.Views views, RoundPorts.Metrics metrics, Clock clock, boolean automatic) {
        this.board = board;
        this.policy = policy;
        this.exports = exports;
        this.requests = requests;
        this.views = views;
        this.metrics = metrics;
        this.clock = clock;
        this.automatic = automatic;
    }

    /** A round request seen on the topic (ours or another instance's). */
    public void requested(RoundRequest request) {
        requestedRounds.merge(request.dataset(), request.round(), Math::max);
    }

    /** One check of the policy over every dataset. */
    public void check() {
        if (!views.caughtUp()) {
            return;
        }
        for (String dataset : board.datasets()) {
            List<RatedItem> items = board.snapshot(i -> i.dataset().equals(dataset));
            metrics.agreement(dataset, RatingStats.agreement(items).alphaOrdinal());
            if (automatic) {
                Optional<RoundPolicy.Plan> plan = openRound(dataset, items).map(r -> policy.plan(dataset, r, items));
                if (plan.isPresent() && policy.due(plan.get())) {
                    start(plan.get(), "policy: " + plan.get().acceptedRatings() + " accepted ratings (min "
                            + policy.settings().minRatings() + ")", POLICY_PRINCIPAL);
                }
            }
        }
    }

    /** The plan the policy would run now for {@code dataset}'s open round. */
    public RoundPolicy.Plan preview(String dataset) {
        List<RatedItem> items = board.snapshot(i -> i.dataset().equals(dataset));
        int round = openRound(dataset, items).orElseThrow(() -> new RoundRefused(RoundRefused.Why.NOTHING_TO_ROUND,
                "no review items of " + dataset + " wait for a round (none known, or their next round was requested)"));
        return policy.plan(dataset, round, items);
    }

    /** Starts {@code dataset}'s next round now, without waiting for the rating threshold (an admin, {@code principal}). */
    public RoundRequest startNow(String dataset, String principal) {
        if (!views.caughtUp()) {
            throw new RoundRefused(RoundRefused.Why.VIEWS_REBUILDING,
                    "the feedback views are still being rebuilt from the topics; retry shortly");
        }
        RoundPolicy.Plan plan = preview(dataset);
        if (plan.isEmpty()) {
            throw new RoundRefused(RoundRefused.Why.NOTHING_QUALIFIES, "no sample of " + dataset + " round "
                    + plan.fromRound() + " qualifies yet (" + plan.acceptedRatings() + " accepted ratings; left out: "
                    + plan.skipped() + ")");
        }
        return start(plan, "admin request", principal);
    }

    /** Who a round the policy starts by itself is requested by. */
    public static final String POLICY_PRINCIPAL = "service:feedback/round-policy";

    private synchronized RoundRequest start(RoundPolicy.Plan plan, String reason, String principal) {
        if (requestedRounds.getOrDefault(plan.dataset(), -1) >= plan.round()) {
            throw new RoundRefused(RoundRefused.Why.ALREADY_REQUESTED, "round " + plan.round() + " of " + plan.dataset()
                    + " was already requested");
        }
        if (plan.baseVersion() < 1) {
            throw new RoundRefused(RoundRefused.Why.NO_BASE_VERSION, "the review items of " + plan.dataset() + " round "
                    + plan.fromRound() + " do not name the dataset version they were trained on");
        }
        RoundExport export = RoundExport.of(plan, principal);
        exports.write(export);
        String requestId = "feedback:" + plan.dataset() + ":round-" + plan.round();
        RoundRequest request = new RoundRequest(requestId, plan.dataset(), plan.round(), plan.baseVersion(),
                export.sftKey(), export.sampleCount(), export.preferencesKey(), export.preferenceCount(),
                export.lineageKey(), reason, clock.instant(), principal);
        try {
            requests.send(request);
        } catch (RuntimeException e) {
            // the export is written; a retry writes it again and sends the same request id, sealed once
            throw Faults.isTransient(e) ? new Faults.TransientFault("round " + plan.round() + " of " + plan.dataset()
                    + " could not be requested (broker unavailable: " + e.getMessage() + ")", e) : e;
        }
        requested(request);
        metrics.requested(export);
        LOG.infof("requested round %d of %s on v%d: %d SFT samples, %d preference pairs (%s)", plan.round(),
                plan.dataset(), plan.baseVersion(), export.sampleCount(), export.preferenceCount(), reason);
        return request;
    }

    /** The latest round of the dataset's items whose next round has not been requested. */
    private Optional<Integer> openRound(String dataset, List<RatedItem> items) {
        int requested = requestedRounds.getOrDefault(dataset, -1);
        return items.stream().map(i -> i.item().round()).filter(r -> r + 1 > requested).max(Integer::compare);
    }
}
