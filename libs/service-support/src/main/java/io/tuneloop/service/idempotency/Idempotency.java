package io.tuneloop.service.idempotency;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one idempotency idiom of tuneloop's consumers. Kafka delivers at least once, and a consumer
 * may die between any two steps; so every consumer's work ends in a durable <em>marker</em>, written
 * last, whose existence means the work is done:
 * <ul>
 *   <li>ingest: the batch summary in the store (after the Kafka transaction of its records);</li>
 *   <li>formatter: the version manifest that lists the batch or round request among its sources;</li>
 *   <li>trainer: the checkpoint manifest of the shard;</li>
 *   <li>eval: the checkpoint's report.json;</li>
 *   <li>feedback: the round request on its topic, read back (the request id is the dataset and round).</li>
 * </ul>
 * A repeat (a redelivery, a client's retry) finds the marker, does not do the work again, and only
 * announces its result again. Announcements carry ids derived from what they announce (see
 * {@code Events}), so a repeat is the same event to anyone downstream; consumers recognise repeats by
 * the marker, not by the event id. Work cut off before its marker is simply done again: it writes
 * the same objects, and no reader looks at an artifact before its marker exists.
 */
public final class Idempotency {
    private Idempotency() {
    }

    /**
     * Does {@code work} unless {@code marker} finds it done, then {@code announce}s the result either
     * way. {@code work} writes the marker last; it returns null when it stopped without one (a
     * cancelled run), and then nothing is announced.
     *
     * @return what {@code announce} made of the result; null when the work stopped without one
     */
    public static <T, R> R once(Supplier<Optional<T>> marker, Supplier<T> work, Function<T, R> announce) {
        Optional<T> done = marker.get();
        T result = done.isPresent() ? done.get() : work.get();
        return result == null ? null : announce.apply(result);
    }
}
