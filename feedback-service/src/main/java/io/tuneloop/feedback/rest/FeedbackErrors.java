package io.tuneloop.feedback.rest;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.feedback.rating.RatingRefused;
import io.tuneloop.service.rest.ErrorMappers;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Refusals of the ratings API, in the shared error shape; 429 and 503 carry Retry-After. Counted by status. */
public class FeedbackErrors {
    private final MeterRegistry meters;

    public FeedbackErrors(MeterRegistry meters) {
        this.meters = meters;
    }

    @ServerExceptionMapper
    public Response refused(RatingRefused e) {
        meters.counter("tuneloop.feedback.ratings.refused", "status", String.valueOf(e.status())).increment();
        Response.ResponseBuilder response = Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorMappers.ApiError(e.status(), e.getMessage()));
        if (e instanceof RatingRefused.RateLimited limited) {
            response.header(HttpHeaders.RETRY_AFTER, limited.retryAfterSeconds());
        } else if (e.status() == 503) {
            response.header(HttpHeaders.RETRY_AFTER, ErrorMappers.RETRY_AFTER_SECONDS); // the broker is away
        }
        return response.build();
    }
}
