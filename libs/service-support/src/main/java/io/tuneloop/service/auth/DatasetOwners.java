package io.tuneloop.service.auth;

import io.tuneloop.store.Artifacts.DatasetOwner;
import jakarta.ws.rs.NotFoundException;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Which team owns each dataset, and so everything made from it: versions, runs, checkpoints,
 * reports, review items and rounds all name their dataset. The record lives in the object store
 * ({@code owners/datasets/<name>.json}), shared by every service; the first write of a team to a
 * dataset nobody owns claims it. Another team's dataset answers exactly like one that does not
 * exist (404), so names do not leak across teams; an admin sees every dataset.
 *
 * <p>An owner never changes once written, so every service keeps what it has read. Two teams
 * claiming one new name in the same instant: the store keeps the last write, and the claim reads
 * its record back, so the team that lost sees a 404 rather than data of the other.
 */
public final class DatasetOwners {
    private final Function<String, Optional<DatasetOwner>> read;
    private final BiConsumer<String, DatasetOwner> write;
    private final Clock clock;
    private final ConcurrentHashMap<String, DatasetOwner> known = new ConcurrentHashMap<>();

    public DatasetOwners(Function<String, Optional<DatasetOwner>> read, BiConsumer<String, DatasetOwner> write, Clock clock) {
        this.read = read;
        this.write = write;
        this.clock = clock;
    }

    /** The owner of {@code dataset}, if any team has written to it. Reads the store once per dataset. */
    public Optional<DatasetOwner> owner(String dataset) {
        DatasetOwner cached = known.get(dataset);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<DatasetOwner> stored = read.apply(checkName(dataset));
        stored.ifPresent(o -> known.put(dataset, o));
        return stored;
    }

    /** The owner as far as this instance has read it: never touches the store (for event-loop code). */
    public Optional<DatasetOwner> known(String dataset) {
        return Optional.ofNullable(known.get(dataset));
    }

    /** The owning team of {@code dataset}, or null while nobody owns it. */
    public String teamOf(String dataset) {
        return owner(dataset).map(DatasetOwner::team).orElse(null);
    }

    /**
     * Whether {@code caller} may see {@code dataset} and what was made from it (for filtering lists):
     * an admin sees all, anyone else their own team's.
     */
    public boolean visible(String dataset, Caller caller) {
        return caller.isAdmin() || owner(dataset).map(o -> caller.sees(o.team())).orElse(false);
    }

    /**
     * For reading {@code dataset} or anything made from it: the caller's team must own it (or the
     * caller is an admin). A dataset nobody owns has nothing to read, except for an admin (data
     * written before owners existed).
     *
     * @throws NotFoundException as for a dataset that does not exist
     */
    public Optional<DatasetOwner> checkVisible(String dataset, Caller caller) {
        if (visible(dataset, caller)) {
            return owner(dataset);
        }
        throw notFound(dataset);
    }

    /**
     * For writing to {@code dataset}: claims it for the caller's team when nobody owns it; the
     * caller's team (or an admin) must own it otherwise.
     *
     * @return the owner after the write
     * @throws NotFoundException when another team owns it
     */
    public DatasetOwner claimOrCheck(String dataset, Caller caller) {
        Optional<DatasetOwner> owner = owner(dataset);
        if (owner.isPresent()) {
            if (!caller.sees(owner.get().team())) {
                throw notFound(dataset);
            }
            return owner.get();
        }
        String team = caller.requireTeam();
        write.accept(checkName(dataset), new DatasetOwner(dataset, team, caller.name(), clock.instant()));
        DatasetOwner stored = read.apply(dataset).orElseThrow(() -> new IllegalStateException(
                "the owner record of " + dataset + " was written but cannot be read back"));
        known.put(dataset, stored);
        if (!stored.team().equals(team)) {
            throw notFound(dataset);
        }
        return stored;
    }

    private static NotFoundException notFound(String dataset) {
        return new NotFoundException("no dataset " + dataset);
    }

    private static String checkName(String dataset) {
        if (dataset == null || !dataset.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("a dataset name is letters, digits, '.', '_' and '-' (at most 128), was "
                    + dataset);
        }
        return dataset;
    }
}
