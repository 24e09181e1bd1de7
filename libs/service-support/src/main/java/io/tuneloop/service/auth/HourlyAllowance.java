package io.tuneloop.service.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * How much one principal may do in a sliding window (say, uploads per hour): a number of requests
 * and a number of bytes. A request is admitted while both are under their limit, and its bytes are
 * counted once known (an upload's size is known only after it streamed), so the request that
 * crosses the byte limit is the last one admitted. Kept per service instance.
 */
public final class HourlyAllowance {
    private record Use(Instant at, long bytes) {
    }

    private final long maxCount;
    private final long maxBytes;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Use>> uses = new HashMap<>();

    /**
     * @param maxCount requests per window and principal (0: no limit)
     * @param maxBytes bytes per window and principal (0: no limit)
     */
    public HourlyAllowance(long maxCount, long maxBytes, Duration window, Clock clock) {
        if (maxCount < 0 || maxBytes < 0 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("limits are >= 0 and the window positive");
        }
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
        this.window = window;
        this.clock = clock;
    }

    /**
     * Admits one request of {@code principal}, counting it now with 0 bytes; {@link #addBytes} adds
     * its size once known.
     *
     * @throws LimitExceededException with the time until the oldest counted use leaves the window
     */
    public synchronized void admit(String principal, String what) {
        Instant now = clock.instant();
        Deque<Use> mine = uses.computeIfAbsent(principal, p -> new ArrayDeque<>());
        while (!mine.isEmpty() && !mine.peekFirst().at().isAfter(now.minus(window))) {
            mine.removeFirst();
        }
        long bytes = mine.stream().mapToLong(Use::bytes).sum();
        if (maxCount > 0 && mine.size() >= maxCount) {
            throw new LimitExceededException(principal + " made " + mine.size() + " " + what + " in the last "
                    + window.toMinutes() + " min (the limit is " + maxCount + ")", retryAfter(mine, now));
        }
        if (maxBytes > 0 && bytes >= maxBytes) {
            throw new LimitExceededException(principal + " sent " + bytes + " bytes of " + what + " in the last "
                    + window.toMinutes() + " min (the limit is " + maxBytes + ")", retryAfter(mine, now));
        }
        mine.addLast(new Use(now, 0));
    }

    /** Adds {@code bytes} to {@code principal}'s latest admitted request. */
    public synchronized void addBytes(String principal, long bytes) {
        Deque<Use> mine = uses.get(principal);
        if (mine != null && !mine.isEmpty()) {
            Use last = mine.removeLast();
            mine.addLast(new Use(last.at(), last.bytes() + bytes));
        }
    }

    private Duration retryAfter(Deque<Use> mine, Instant now) {
        Duration wait = Duration.between(now, mine.peekFirst().at().plus(window));
        return wait.isNegative() ? Duration.ofSeconds(1) : wait;
    }
}
