package io.tuneloop.eval.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tuneloop.eval.flow.EvalMetrics;
import io.tuneloop.eval.flow.EvalReport;
import io.tuneloop.events.payload.Checkpoint;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The evaluations flow's figures as Micrometer meters ({@code tuneloop_eval_*}, see docs/observability.md). */
public final class EvalMeters implements EvalMetrics {
    private final MeterRegistry meters;
    private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();

    public EvalMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Counts the checkpoints the intake knows. */
    public void watch(Map<String, ?> knownCheckpoints) {
        meters.gaugeMapSize("tuneloop.eval.checkpoints.known", List.of(), knownCheckpoints);
    }

    @Override
    public void evaluated(Checkpoint checkpoint, EvalReport report, long nanos) {
        meters.timer("tuneloop.eval.duration").record(nanos, TimeUnit.NANOSECONDS);
        meters.counter("tuneloop.eval.generated.tokens").increment(report.generatedTokens());
        // answers to the review pool's prompts, put up for raters (two per prompt)
        meters.counter("tuneloop.eval.review.answers").increment(report.responses().stream()
                .filter(r -> r.suite().equals(io.tuneloop.eval.flow.ReviewPool.SUITE)).count());
        gauge("tuneloop.eval.generated.tokens.per.second", Tags.of("run", checkpoint.runId()))
                .set(report.generatedTokens() / Math.max(1e-9, report.seconds()));
        Map<String, Double> base = report.headline(true);
        report.headline(false).forEach((metric, value) -> {
            gauge("tuneloop.eval.score", Tags.of("run", checkpoint.runId(), "round", String.valueOf(checkpoint.round()),
                    "metric", metric)).set(value);
            Double baseValue = base.get(metric);
            if (baseValue != null) { // the latest checkpoint of the dataset against its base: alerts on regressions
                gauge("tuneloop.eval.delta.vs.base", Tags.of("dataset", checkpoint.dataset(), "metric", metric))
                        .set(value - baseValue);
            }
        });
    }

    @Override
    public void baseReused() {
        meters.counter("tuneloop.eval.base.reused").increment();
    }

    @Override
    public void checkpointReceived() {
        meters.counter("tuneloop.eval.checkpoints.received").increment();
    }

    @Override
    public void checkpointRedelivered() {
        meters.counter("tuneloop.eval.checkpoints.redelivered").increment();
    }

    @Override
    public void reviewPoolFileRefused(String dataset) {
        meters.counter("tuneloop.eval.review.pool.files.refused", Tags.of("dataset", dataset)).increment();
    }

    private AtomicReference<Double> gauge(String name, Tags tags) {
        return gauges.computeIfAbsent(name + tags, k -> {
            AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
            meters.gauge(name, tags, value, AtomicReference::get);
            return value;
        });
    }
}
