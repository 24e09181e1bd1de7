package io.tuneloop.service.resilience;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while work is held back by an unreachable dependency; the data names each waiting operation. */
@Readiness
@ApplicationScoped
public class OutagesHealthCheck implements HealthCheck {
    private final Outages outages;

    public OutagesHealthCheck(Outages outages) {
        this.outages = outages;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("dependencies");
        outages.current().forEach((operation, outage) -> response.withData(operation,
                "waiting since " + outage.since() + " (" + outage.attempts() + " attempts): " + outage.lastError()));
        return (outages.any() ? response.down() : response.up()).build();
    }
}
