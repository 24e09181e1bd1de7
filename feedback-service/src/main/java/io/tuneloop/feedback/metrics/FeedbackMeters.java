package io.tuneloop.feedback.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.tuneloop.feedback.flow.RoundExport;
import io.tuneloop.feedback.flow.RoundPorts;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** The rounds flow's figures as Micrometer meters ({@code tuneloop_feedback_*}, see docs/observability.md). */
public final class FeedbackMeters implements RoundPorts.Metrics {
    private final MeterRegistry meters;
    /** dataset -> last computed Krippendorff's alpha (ordinal) of all its rated items */
    private final Map<String, AtomicReference<Double>> agreement = new ConcurrentHashMap<>();

    public FeedbackMeters(MeterRegistry meters) {
        this.meters = meters;
        meters.counter("tuneloop.feedback.rounds.requested"); // the series exists before the first round
    }

    @Override
    public void requested(RoundExport export) {
        meters.counter("tuneloop.feedback.rounds.requested").increment();
        meters.counter("tuneloop.feedback.round.samples", "kind", "sft").increment(export.sampleCount());
        meters.counter("tuneloop.feedback.round.samples", "kind", "preference").increment(export.preferenceCount());
    }

    @Override
    public void agreement(String dataset, Double alphaOrdinal) {
        agreement.computeIfAbsent(dataset, d -> {
            AtomicReference<Double> alpha = new AtomicReference<>(Double.NaN);
            meters.gauge("tuneloop.feedback.agreement.alpha", List.of(Tag.of("dataset", d)), alpha,
                    a -> a.get() == null ? Double.NaN : a.get());
            return alpha;
        }).set(alphaOrdinal);
    }
}
