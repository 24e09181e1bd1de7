package io.tuneloop.service.rest;

import io.tuneloop.service.resilience.Faults;
import io.tuneloop.store.NoSuchArtifactException;
import io.tuneloop.store.StoreException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * One error shape for every service: {@code {"status": 400, "error": "<reason>"}}. Bad input is a
 * 4xx with a reason the caller can act on; a store or broker that is down is a 503 with Retry-After.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    /** The JSON body of every error response. */
    public record ApiError(int status, String error) {
    }

    public static Response error(Response.Status status, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(status.getStatusCode(), reason))
                .build();
    }

    @ServerExceptionMapper
    public Response badInput(IllegalArgumentException e) {
        return error(Response.Status.BAD_REQUEST, e.getMessage());
    }

    /** Seconds a client is told to wait before retrying a request that met a dependency outage. */
    public static final int RETRY_AFTER_SECONDS = 5;

    /** 503 with Retry-After: the request was fine, a dependency (store, broker) is not there right now. */
    public static Response unavailable(String reason) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON)
                .header("Retry-After", RETRY_AFTER_SECONDS)
                .entity(new ApiError(Response.Status.SERVICE_UNAVAILABLE.getStatusCode(), reason)).build();
    }

    /** A caller used up an allowance (uploads per hour, runs in flight): 429 and when to try again. */
    @ServerExceptionMapper
    public Response limitExceeded(io.tuneloop.service.auth.LimitExceededException e) {
        return Response.status(429).type(MediaType.APPLICATION_JSON).header("Retry-After", e.retryAfterSeconds())
                .entity(new ApiError(429, e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response missingArtifact(NoSuchArtifactException e) {
        return error(Response.Status.NOT_FOUND, e.getMessage());
    }

    @ServerExceptionMapper
    public Response storeFailure(StoreException e) {
        if (e.isTransient()) {
            LOG.warnf("object store unavailable: %s", e.getMessage());
            return unavailable("object store unavailable, retry later");
        }
        LOG.errorf(e, "object store refused a request");
        return error(Response.Status.BAD_GATEWAY, "the object store refused the request: " + e.getMessage());
    }

    /** A dependency did not answer in time (our own signal for it). */
    @ServerExceptionMapper
    public Response dependencyDown(Faults.TransientFault e) {
        LOG.warnf("dependency unavailable: %s", e.getMessage());
        return unavailable(e.getMessage() + "; retry later");
    }

    /** A store body cut off mid-read (an import streaming from the bucket): 503; a local I/O failure: 500. */
    @ServerExceptionMapper
    public Response ioFailure(java.io.UncheckedIOException e) {
        if (Faults.isTransient(e)) {
            LOG.warnf("object store unavailable: %s", e.getMessage());
            return unavailable("object store unavailable (" + e.getMessage() + "), retry later");
        }
        LOG.errorf(e, "request failed");
        return error(Response.Status.INTERNAL_SERVER_ERROR, "internal error: " + e.getMessage());
    }

    /** The broker: a timeout or lost connection is a 503 to retry; anything else is our bug, a 500. */
    @ServerExceptionMapper
    public Response brokerFailure(org.apache.kafka.common.KafkaException e) {
        if (Faults.isTransient(e)) {
            LOG.warnf("broker unavailable: %s", e.getMessage());
            return unavailable("the broker is unavailable (" + e.getMessage() + "); retry later");
        }
        LOG.errorf(e, "broker refused a request");
        return error(Response.Status.INTERNAL_SERVER_ERROR, "the broker refused the request: " + e.getMessage());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
        return error(status == null ? Response.Status.INTERNAL_SERVER_ERROR : status, e.getMessage());
    }
}
