package io.tuneloop.feedback.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tuneloop.feedback.config.FeedbackConfig;
import io.tuneloop.feedback.flow.Rounds;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Checks the round policy every {@code tuneloop.feedback.round.check-interval}. */
@ApplicationScoped
public class RoundChecks {
    private static final Logger LOG = Logger.getLogger(RoundChecks.class);

    @Inject Rounds rounds;
    @Inject FeedbackConfig config;
    private ScheduledExecutorService scheduler;

    void start(@Observes StartupEvent started) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "feedback-round-policy");
            thread.setDaemon(true);
            return thread;
        });
        long interval = Math.max(200, config.round().checkInterval().toMillis());
        scheduler.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopped) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void check() {
        try {
            rounds.check();
        } catch (RuntimeException e) {
            LOG.warnf(e, "round policy check failed; retrying at the next check");
        }
    }
}
