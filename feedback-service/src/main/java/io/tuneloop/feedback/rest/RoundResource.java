package io.tuneloop.feedback.rest;

import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.Caller;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.feedback.flow.Rounds;
import io.tuneloop.feedback.flow.RoundPolicy;
import jakarta.inject.Inject;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Admin: see what the next round would train on, and start it without waiting for the threshold. */
@Path("/api/v1/admin/rounds")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@Tag(name = "admin")
public class RoundResource {
    @Inject Rounds rounds;
    @Inject Caller caller;

    /** A round to start. */
    public record StartRound(String dataset) {
    }

    @GET
    @Path("/preview")
    @Operation(summary = "The samples and preference pairs the dataset's next round would get now, and why items were left out")
    public RoundPolicy.Plan preview(@QueryParam("dataset") String dataset) {
        return rounds.preview(required(dataset));
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start the dataset's next round now with the samples that qualify")
    public Response start(StartRound body) {
        RoundRequest request = rounds.startNow(required(body == null ? null : body.dataset()), caller.name());
        return Response.accepted(request).build();
    }

    private static String required(String dataset) {
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("dataset is required");
        }
        return dataset;
    }
}
