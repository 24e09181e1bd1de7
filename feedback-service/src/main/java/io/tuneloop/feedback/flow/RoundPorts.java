package io.tuneloop.feedback.flow;

import io.tuneloop.events.payload.RoundRequest;

/** What the rounds flow talks to. */
public final class RoundPorts {
    private RoundPorts() {
    }

    /** Writes a round's samples, pairs and lineage (same plan, same bytes: a retry overwrites identical objects). */
    public interface Exports {
        void write(RoundExport export);
    }

    /** Sends a round request; returns once the broker has it. */
    public interface Requests {
        void send(RoundRequest request);
    }

    /** Whether the views have caught up with the topics (acting on half-rebuilt views would plan too small a round). */
    public interface Views {
        boolean caughtUp();
    }

    /** What the rounds flow measures. */
    public interface Metrics {
        void requested(RoundExport export);

        /** @param alphaOrdinal Krippendorff's alpha of the dataset's rated items; null while it is undefined */
        void agreement(String dataset, Double alphaOrdinal);

        Metrics NONE = new Metrics() {
            @Override
            public void requested(RoundExport export) {
            }

            @Override
            public void agreement(String dataset, Double alphaOrdinal) {
            }
        };
    }
}
