package io.tuneloop.eval;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.eval.flow.CheckpointIntake;
import io.tuneloop.eval.flow.Evaluations;
import io.tuneloop.eval.flow.ReviewPool;
import io.tuneloop.eval.flow.SuiteRunner;
import io.tuneloop.eval.messaging.EvalPublisher;
import io.tuneloop.eval.metrics.EvalMeters;
import io.tuneloop.eval.scoring.DjlScoring;
import io.tuneloop.eval.store.EvalArtifacts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;

/** Eval's flow wired to its adapters (singletons: plain classes need no proxy). */
@ApplicationScoped
public class EvalBeans {
    @Produces
    @Singleton
    EvalMeters metrics(MeterRegistry meters) {
        return new EvalMeters(meters);
    }

    @Produces
    @Singleton
    CheckpointIntake intake(EvalArtifacts store, EvalMeters metrics) {
        CheckpointIntake intake = new CheckpointIntake(store, metrics, Clock.systemUTC());
        metrics.watch(intake.known());
        return intake;
    }

    @Produces
    @Singleton
    Evaluations evaluations(EvalArtifacts store, EvalPublisher events, EvalMeters metrics,
                            @ConfigProperty(name = "tuneloop.eval.batch-size", defaultValue = "8") int batchSize,
                            @ConfigProperty(name = "tuneloop.eval.max-new-tokens", defaultValue = "64") int maxNewTokens,
                            @ConfigProperty(name = "tuneloop.eval.max-prompts-per-suite", defaultValue = "200") int maxPrompts,
                            @ConfigProperty(name = "tuneloop.eval.validation-examples", defaultValue = "128") int validation,
                            @ConfigProperty(name = "tuneloop.eval.review-items", defaultValue = "20") int reviewItems,
                            @ConfigProperty(name = "tuneloop.eval.review.temperature", defaultValue = "0.8") double temperature,
                            @ConfigProperty(name = "tuneloop.eval.review.top-p", defaultValue = "0.95") double topP) {
        // review-items: review-pool prompts answered (twice each) per checkpoint, the pool files' first and
        // then the version's review split; without either, eval responses put up for rating (never trained on)
        return new Evaluations(store, events, new DjlScoring(store, new SuiteRunner.Settings(batchSize, maxNewTokens,
                maxPrompts, validation), new ReviewPool.Settings(reviewItems, temperature, topP)), metrics,
                Clock.systemUTC(), reviewItems);
    }
}
