package io.tuneloop.feedback.rest;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.feedback.flow.RoundRefused;
import io.tuneloop.feedback.rating.RatingRefused;
import io.tuneloop.feedback.review.ReviewBoard;
import io.tuneloop.service.rest.ErrorMappers;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Refusals of the ratings API, in the shared error shape; 429 and 503 carry Retry-After. Counted by status. */
public class FeedbackErrors {
    @Inject MeterRegistry meters;

    @ServerExceptionMapper
    public Response refused(RatingRefused e) {
        int status = e instanceof RatingRefused.RateLimited ? 429
                : e instanceof RatingRefused.Unavailable ? 503
                : status(e.why());
        meters.counter("tuneloop.feedback.ratings.refused", "status", String.valueOf(status)).increment();
        Response.ResponseBuilder response = error(status, e.getMessage());
        if (e instanceof RatingRefused.RateLimited limited) {
            response.header(HttpHeaders.RETRY_AFTER, limited.retryAfterSeconds());
        } else if (status == 503) {
            response.header(HttpHeaders.RETRY_AFTER, ErrorMappers.RETRY_AFTER_SECONDS); // the broker is away
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response roundRefused(RoundRefused e) {
        int status = switch (e.why()) {
            case NOTHING_TO_ROUND -> 404;
            case NOTHING_QUALIFIES, ALREADY_REQUESTED, NO_BASE_VERSION -> 409;
            case VIEWS_REBUILDING -> 503;
        };
        meters.counter("tuneloop.feedback.ratings.refused", "status", String.valueOf(status)).increment();
        Response.ResponseBuilder response = error(status, e.getMessage());
        if (status == 503) {
            response.header(HttpHeaders.RETRY_AFTER, ErrorMappers.RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    /** The HTTP status of each of the board's refusals. */
    static int status(ReviewBoard.Refusal why) {
        return switch (why) {
            case NO_SUCH_ITEM, NO_SUCH_RATING -> 404;
            case NOT_YOURS -> 403;
            case ALREADY_RATED, NOT_ASSIGNED, BEING_CHANGED -> 409;
            case KEY_REUSED -> 422;
            case BAD_PREFERENCE -> 400;
        };
    }

    private static Response.ResponseBuilder error(int status, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ErrorMappers.ApiError(status, reason));
    }
}
