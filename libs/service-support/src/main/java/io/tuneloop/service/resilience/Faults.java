package io.tuneloop.service.resilience;

import io.tuneloop.store.StoreException;
import io.tuneloop.store.StoreReadException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells a dependency that is down from input that is bad. A transient fault (the store or the broker
 * unreachable, a timeout, a server-side error) says nothing about the message being processed: it is
 * retried, never dead-lettered. Anything else is a property of the input and goes to the
 * dead-letter topic (or a 4xx) with its reason.
 */
public final class Faults {
    private Faults() {
    }

    /** Whether {@code failure}, or anything it wraps, is a transient fault of a dependency. */
    public static boolean isTransient(Throwable failure) {
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof StoreException store) {
                if (store.isTransient()) {
                    return true;
                }
                continue; // a store refusal may still wrap a network error of its own making: look on
            }
            if (t instanceof StoreReadException || t instanceof RetriableException || t instanceof TransientFault
                    || t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException || t instanceof SocketException
                    || t instanceof InterruptedIOException || t instanceof TimeoutException
                    || t instanceof io.smallrye.mutiny.TimeoutException) { // an await().atMost() on a send
                return true;
            }
            if (t instanceof RecordTooLargeException) {
                return false; // the input's size, however it is wrapped
            }
        }
        return false;
    }

    /** A fault of ours that says "a dependency is not there yet": retried like a store or broker outage. */
    public static class TransientFault extends RuntimeException {
        public TransientFault(String message, Throwable cause) {
            super(message, cause);
        }

        public TransientFault(String message) {
            super(message);
        }
    }
}
