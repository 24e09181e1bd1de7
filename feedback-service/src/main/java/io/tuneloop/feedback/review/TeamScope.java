package io.tuneloop.feedback.review;

import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.service.auth.Caller;
import io.tuneloop.service.auth.DatasetOwners;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * Which review items a caller may see: those of datasets their team owns (an admin sees all). The
 * rating routes answer on the event loop, which never reads the object store, so owners are learned
 * as items arrive (before the item joins the queue); an item whose owner could not be read is shown
 * to nobody but admins until it is (the store is back, looked up in the background).
 */
@ApplicationScoped
public class TeamScope {
    private static final Logger LOG = Logger.getLogger(TeamScope.class);

    @Inject DatasetOwners owners;

    private final ExecutorService lookups = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "feedback-owner-lookups");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    /** Looks up {@code dataset}'s owner in the background unless it is known or already being looked up. */
    public void learn(String dataset) {
        if (owners.known(dataset).isPresent() || !pending.add(dataset)) {
            return;
        }
        lookups.submit(() -> {
            try {
                owners.owner(dataset);
            } catch (RuntimeException e) {
                LOG.debugf("owner of %s not read yet (%s); asked again with its next item", dataset, e.getMessage());
            } finally {
                pending.remove(dataset);
            }
        });
    }

    /**
     * Reads {@code dataset}'s owner now, on the calling (worker) thread, so that an item is never
     * handed out before its team is known; when the store cannot answer, learns it in the background.
     */
    public void learnNow(String dataset) {
        if (owners.known(dataset).isPresent()) {
            return;
        }
        try {
            owners.owner(dataset);
        } catch (RuntimeException e) {
            LOG.debugf("owner of %s not read (%s); learning it in the background", dataset, e.getMessage());
            learn(dataset);
        }
    }

    /** The items {@code caller} may see; decided now, so the predicate can be used off the request. */
    public Predicate<ReviewItem> visibleTo(Caller caller) {
        if (caller.isAdmin()) {
            return item -> true;
        }
        Optional<String> team = caller.team();
        if (team.isEmpty()) {
            return item -> false;
        }
        return item -> {
            Optional<String> owner = owners.known(item.dataset()).map(o -> o.team());
            if (owner.isEmpty()) {
                learn(item.dataset());
            }
            return owner.map(team.get()::equals).orElse(false);
        };
    }

    @PreDestroy
    void stop() {
        lookups.shutdownNow();
    }
}
