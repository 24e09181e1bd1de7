package io.tuneloop.trainer;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.trainer.config.TrainerConfig;
import io.tuneloop.events.EventJson;
import io.tuneloop.trainer.flow.RunPolicies;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.flow.Runs;
import io.tuneloop.trainer.messaging.TrainerEvents;
import io.tuneloop.trainer.metrics.TrainerMetrics;
import io.tuneloop.trainer.store.RunArtifacts;
import io.tuneloop.trainer.training.StoredShards;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** The trainer's flow wired to its adapters (singletons: plain classes need no proxy). */
@ApplicationScoped
public class TrainerBeans {
    @Produces
    @Singleton
    Runs runs(RunArtifacts store, TrainerEvents events, StoredShards training, MeterRegistry meters) {
        TrainerMetrics metrics = new TrainerMetrics(meters);
        Runs runs = new Runs(store, events, training, metrics, Clock.systemUTC(), availableMemory());
        metrics.watch(runs);
        return runs;
    }

    @Produces
    @Singleton
    RunPolicies policies(TrainerConfig config, Runs runs) {
        Map<String, RunPolicies.Policy> policies = new LinkedHashMap<>();
        config.policies().forEach((name, policy) -> policies.put(name, new RunPolicies.Policy(policy.dataset(),
                runSpec(policy.spec()),
                policy.preferenceSpec().map(TrainerBeans::runSpec).orElse(null), policy.continueRounds(),
                policy.roundSpec().map(TrainerBeans::runSpec).orElse(null))));
        return new RunPolicies(policies, runs);
    }

    private static RunSpec runSpec(String json) {
        return EventJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), RunSpec.class);
    }

    private static long availableMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }
}
