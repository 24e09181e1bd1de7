package io.tuneloop.feedback.round;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.feedback.agreement.RatingStats;
import io.tuneloop.feedback.config.FeedbackConfig;
import io.tuneloop.feedback.messaging.ViewsReadiness;
import io.tuneloop.feedback.rating.RatingRefused;
import io.tuneloop.feedback.review.RatedItem;
import io.tuneloop.feedback.review.ReviewBoard;
import io.tuneloop.service.messaging.Events;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the round policy: every few seconds (once the views have caught up) it plans the next round
 * of each dataset from the ratings of its current round's responses, and when the plan is due
 * writes the samples, preference pairs and lineage to the object store and sends a
 * {@code round-requests} event naming them. Admins can preview a plan and start it at any time.
 *
 * <p>Which rounds were requested is itself read back from {@code round-requests}, so a restarted
 * service does not request a round twice; the request id is derived from dataset and round, so
 * even two instances racing produce one round (the formatter seals once per request id).
 */
@ApplicationScoped
public class RoundCoordinator {
    private static final Logger LOG = Logger.getLogger(RoundCoordinator.class);

    private final ReviewBoard board;
    private final RoundPolicy policy;
    private final ArtifactStore store;
    private final MutinyEmitter<RoundRequest> requests;
    private final ViewsReadiness readiness;
    private final MeterRegistry meters;
    private final FeedbackConfig config;
    /** dataset -> highest round requested */
    private final Map<String, Integer> requestedRounds = new ConcurrentHashMap<>();
    /** dataset -> last computed Krippendorff's alpha (ordinal) of all its rated items */
    private final Map<String, AtomicReference<Double>> agreement = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;

    public RoundCoordinator(ReviewBoard board, RoundPolicy policy, ArtifactStore store,
                            @Channel(Channels.ROUND_REQUESTS_OUT) MutinyEmitter<RoundRequest> requests,
                            ViewsReadiness readiness, MeterRegistry meters, FeedbackConfig config) {
        this.board = board;
        this.policy = policy;
        this.store = store;
        this.requests = requests;
        this.readiness = readiness;
        this.meters = meters;
        this.config = config;
    }

    void start(@Observes StartupEvent started) {
        meters.counter("tuneloop.feedback.rounds.requested"); // the series exists before the first round
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "feedback-round-policy");
            thread.setDaemon(true);
            return thread;
        });
        long interval = Math.max(200, config.round().checkInterval().toMillis());
        scheduler.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopped) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** A round request seen on the topic (ours or another instance's). */
    public void requested(RoundRequest request) {
        requestedRounds.merge(request.dataset(), request.round(), Math::max);
    }

    private void tick() {
        try {
            if (!readiness.caughtUp()) {
                return; // acting on half-rebuilt views would request a round with too few samples
            }
            for (String dataset : board.datasets()) {
                List<RatedItem> items = board.snapshot(i -> i.dataset().equals(dataset));
                agreement.computeIfAbsent(dataset, d -> {
                    AtomicReference<Double> alpha = new AtomicReference<>(Double.NaN);
                    meters.gauge("tuneloop.feedback.agreement.alpha", List.of(Tag.of("dataset", d)),
                            alpha, a -> a.get() == null ? Double.NaN : a.get());
                    return alpha;
                }).set(RatingStats.agreement(items).alphaOrdinal());
                if (config.round().automatic()) {
                    Optional<RoundPolicy.Plan> plan = openRound(dataset, items).map(r -> policy.plan(dataset, r, items));
                    if (plan.isPresent() && policy.due(plan.get())) {
                        start(plan.get(), "policy: " + plan.get().acceptedRatings() + " accepted ratings (min "
                                + policy.settings().minRatings() + ")");
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "round policy check failed; retrying at the next check");
        }
    }

    /** The plan the policy would run now for {@code dataset}'s open round. */
    public RoundPolicy.Plan preview(String dataset) {
        List<RatedItem> items = board.snapshot(i -> i.dataset().equals(dataset));
        int round = openRound(dataset, items).orElseThrow(() -> new RatingRefused(404,
                "no review items of " + dataset + " wait for a round (none known, or their next round was requested)"));
        return policy.plan(dataset, round, items);
    }

    /** Starts {@code dataset}'s next round now, without waiting for the rating threshold (admin). */
    public RoundRequest startNow(String dataset) {
        if (!readiness.caughtUp()) {
            throw new RatingRefused(503, "the feedback views are still being rebuilt from the topics; retry shortly");
        }
        RoundPolicy.Plan plan = preview(dataset);
        if (plan.isEmpty()) {
            throw new RatingRefused(409, "no sample of " + dataset + " round " + plan.fromRound()
                    + " qualifies yet (" + plan.acceptedRatings() + " accepted ratings; left out: " + plan.skipped() + ")");
        }
        return start(plan, "admin request");
    }

    private synchronized RoundRequest start(RoundPolicy.Plan plan, String reason) {
        if (requestedRounds.getOrDefault(plan.dataset(), -1) >= plan.round()) {
            throw new RatingRefused(409, "round " + plan.round() + " of " + plan.dataset() + " was already requested");
        }
        if (plan.baseVersion() < 1) {
            throw new RatingRefused(409, "the review items of " + plan.dataset() + " round " + plan.fromRound()
                    + " do not name the dataset version they were trained on");
        }
        RoundExport export = RoundExport.of(plan);
        export.write(store);
        String requestId = "feedback:" + plan.dataset() + ":round-" + plan.round();
        RoundRequest request = new RoundRequest(requestId, plan.dataset(), plan.round(), plan.baseVersion(),
                export.sftKey(), export.sampleCount(), export.preferencesKey(), export.preferenceCount(),
                export.lineageKey(), reason, Instant.now());
        try {
            requests.sendMessageAndAwait(Events.message(Topics.ROUND_REQUESTS, plan.dataset(), request,
                    "round-request:" + requestId));
        } catch (RuntimeException e) {
            // the export is written; a retry writes it again and sends the same request id, sealed once
            throw Faults.isTransient(e) ? new Faults.TransientFault("round " + plan.round() + " of " + plan.dataset()
                    + " could not be requested (broker unavailable: " + e.getMessage() + ")", e) : e;
        }
        requested(request);
        meters.counter("tuneloop.feedback.rounds.requested").increment();
        meters.counter("tuneloop.feedback.round.samples", "kind", "sft").increment(export.sampleCount());
        meters.counter("tuneloop.feedback.round.samples", "kind", "preference").increment(export.preferenceCount());
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
