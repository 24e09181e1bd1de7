package io.tuneloop.feedback.rest;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.feedback.config.FeedbackConfig;
import io.tuneloop.feedback.round.RoundStarter;
import io.tuneloop.service.rest.ErrorMappers;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Admin: start the next round by hand. */
@Path("/api/v1/admin/rounds")
@Tag(name = "admin")
public class RoundResource {
    private final RoundStarter rounds;
    private final FeedbackConfig config;

    /** A round to start. */
    public record StartRound(String dataset, Integer baseVersion, Integer round, String feedbackKey, Long feedbackCount) {
    }

    public RoundResource(RoundStarter rounds, FeedbackConfig config) {
        this.rounds = rounds;
        this.config = config;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Request the next round's dataset (admin bearer token)")
    public Response start(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, StartRound body) {
        if (config.adminToken().isEmpty()) {
            return ErrorMappers.error(Response.Status.SERVICE_UNAVAILABLE,
                    "admin API disabled: set TUNELOOP_FEEDBACK_ADMIN_TOKEN");
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return ErrorMappers.error(Response.Status.UNAUTHORIZED, "a bearer token is required");
        }
        byte[] given = authorization.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, config.adminToken().get().getBytes(StandardCharsets.UTF_8))) {
            return ErrorMappers.error(Response.Status.FORBIDDEN, "not an admin token");
        }
        if (body == null || body.dataset() == null || body.baseVersion() == null || body.round() == null) {
            throw new IllegalArgumentException("dataset, baseVersion and round are required");
        }
        RoundRequest request = rounds.start(body.dataset(), body.baseVersion(), body.round(), body.feedbackKey(),
                body.feedbackCount() == null ? 0 : body.feedbackCount(), "admin request");
        return Response.accepted(request).build();
    }
}
