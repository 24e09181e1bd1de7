package io.tuneloop.service.rest;

import io.tuneloop.store.StoreException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * One error shape for every service: {@code {"status": 400, "error": "<reason>"}}. Bad input is a
 * 4xx with a reason the caller can act on; a store that is down is a 503 (retry later).
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

    @ServerExceptionMapper
    public Response storeDown(StoreException e) {
        LOG.warnf("object store failure: %s", e.getMessage());
        return error(Response.Status.SERVICE_UNAVAILABLE, "object store unavailable, retry later");
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
        return error(status == null ? Response.Status.INTERNAL_SERVER_ERROR : status, e.getMessage());
    }
}
