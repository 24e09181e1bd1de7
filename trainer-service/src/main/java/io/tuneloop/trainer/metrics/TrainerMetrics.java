package io.tuneloop.trainer.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.trainer.flow.RunMetrics;
import io.tuneloop.trainer.flow.RunPhase;
import io.tuneloop.trainer.flow.Runs;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** The runs flow's figures as Micrometer meters ({@code tuneloop_trainer_*}, see docs/observability.md). */
public final class TrainerMetrics implements RunMetrics {
    private final MeterRegistry meters;
    private final AtomicReference<Double> lastLoss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastLearningRate = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastGradNorm = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastTokensPerSecond = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastRewardMargin = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastRewardAccuracy = new AtomicReference<>(Double.NaN);

    public TrainerMetrics(MeterRegistry meters) {
        this.meters = meters;
        meters.gauge("tuneloop.trainer.loss", lastLoss, AtomicReference::get);
        meters.gauge("tuneloop.trainer.learning.rate", lastLearningRate, AtomicReference::get);
        meters.gauge("tuneloop.trainer.grad.norm", lastGradNorm, AtomicReference::get);
        meters.gauge("tuneloop.trainer.tokens.per.second", lastTokensPerSecond, AtomicReference::get);
        // preference (DPO) steps only: the implicit reward margin and the fraction of pairs it ranks right
        meters.gauge("tuneloop.trainer.reward.margin", lastRewardMargin, AtomicReference::get);
        meters.gauge("tuneloop.trainer.reward.accuracy", lastRewardAccuracy, AtomicReference::get);
    }

    /** Gauges of the runs this instance knows, by phase (the flow exists after its metrics; it is a singleton). */
    public void watch(Runs runs) {
        for (RunPhase phase : RunPhase.values()) {
            meters.gauge("tuneloop.trainer.runs", Tags.of("state", phase.name()), runs, r -> r.liveIn(phase));
        }
    }

    @Override
    public void runStarted() {
        meters.counter("tuneloop.trainer.runs.started").increment();
    }

    @Override
    public void step(StepRecord step, double tokensPerSecond) {
        lastLoss.set(step.loss());
        lastLearningRate.set(step.learningRate());
        lastGradNorm.set(step.gradNorm());
        lastTokensPerSecond.set(tokensPerSecond);
        if (step.rewardMargin() != null) {
            lastRewardMargin.set(step.rewardMargin());
            lastRewardAccuracy.set(step.rewardAccuracy());
        }
        meters.timer("tuneloop.trainer.step.duration").record((long) (step.millis() * 1e6), TimeUnit.NANOSECONDS);
        meters.counter("tuneloop.trainer.tokens").increment(step.tokens());
    }

    @Override
    public void shardSealed(long trainNanos, long uploadNanos, long checkpointBytes) {
        meters.timer("tuneloop.trainer.checkpoint.write").record(uploadNanos, TimeUnit.NANOSECONDS);
        meters.summary("tuneloop.trainer.checkpoint.bytes").record(checkpointBytes);
        meters.timer("tuneloop.trainer.shard.duration").record(trainNanos + uploadNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shardRedelivered() {
        meters.counter("tuneloop.trainer.shards.redelivered").increment();
    }

    @Override
    public void datasetVersionSeen() {
        meters.counter("tuneloop.trainer.dataset.versions.seen").increment();
    }
}
