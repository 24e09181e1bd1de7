package io.tuneloop.feedback.rest;

import io.tuneloop.feedback.messaging.ViewsReadiness;
import io.tuneloop.service.rest.ErrorMappers;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Until the views have caught up with the topics, the API answers 503 with Retry-After: a rating
 * retried right after a restart must find the rating its first attempt made (and a rater their
 * open assignment), which only the rebuilt views know. Answering from empty views would turn a
 * replay into a 409 and hide a rating that is on the topic (found by LoopIT's kill under load).
 */
public class ViewsGate {
    @Inject ViewsReadiness readiness;

    @ServerRequestFilter(preMatching = true)
    public Response untilViewsCaughtUp(ContainerRequestContext request) {
        if (readiness.caughtUp() || !request.getUriInfo().getPath().startsWith("/api/")) {
            return null;
        }
        return Response.fromResponse(ErrorMappers.error(Response.Status.SERVICE_UNAVAILABLE,
                        "the service is rebuilding its views from the topics; retry shortly"))
                .header(HttpHeaders.RETRY_AFTER, 2).build();
    }
}
