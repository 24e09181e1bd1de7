package io.tuneloop.service.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/**
 * Counts refused requests by service and status: {@code tuneloop_http_refusals_total{service,
 * status}} for 401 (no or a bad token), 403 (a role that may not), 413 (too large) and 429 (an
 * allowance used up). Installed ahead of every route, authentication included, so a request the
 * security layer turns away is counted as well.
 */
@ApplicationScoped
public class RefusalMeter {
    private static final Map<Integer, String> REFUSALS = Map.of(401, "unauthenticated", 403, "forbidden",
            413, "too_large", 429, "rate_limited");

    void install(@Observes Router router, MeterRegistry registry,
                 @ConfigProperty(name = "tuneloop.service") String service) {
        Map<Integer, Counter> counters = new java.util.HashMap<>();
        REFUSALS.forEach((status, reason) -> counters.put(status, Counter.builder("tuneloop.http.refusals")
                .description("Requests refused: no or bad token, wrong role, too large, over an allowance")
                .tag("service", service).tag("status", String.valueOf(status)).tag("reason", reason)
                .register(registry)));
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            rc.addHeadersEndHandler(v -> {
                Counter refused = counters.get(rc.response().getStatusCode());
                if (refused != null) {
                    refused.increment();
                }
            });
            rc.next();
        });
    }
}
