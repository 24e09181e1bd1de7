package io.tuneloop.eval.rest;

import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.service.auth.Caller;
import io.tuneloop.eval.flow.CheckpointIntake;
import io.tuneloop.eval.flow.CheckpointIntake.CheckpointState;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Collection;

/** Checkpoints known to this eval instance and their evaluation state. */
@Path("/api/v1/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "checkpoints")
public class CheckpointResource {
    @Inject CheckpointIntake intake;
    @Inject DatasetOwners owners;
    @Inject Caller caller;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER, Roles.REVIEWER})
    @Operation(summary = "Your team's checkpoints received since this instance started")
    public Collection<CheckpointState> checkpoints() {
        return intake.checkpoints().stream().filter(this::visible).toList();
    }

    @GET
    @Path("/{runId}/{shard}")
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER, Roles.REVIEWER})
    @Operation(summary = "One checkpoint, by run id and shard (checkpoint id <runId>/shard-<k>)")
    public CheckpointState checkpoint(@PathParam("runId") String runId, @PathParam("shard") String shard) {
        String id = runId + "/" + shard;
        return intake.checkpoint(id).filter(this::visible).orElseThrow(() -> new NotFoundException("no checkpoint " + id));
    }

    /** A checkpoint belongs to its dataset's team. */
    private boolean visible(CheckpointState state) {
        return owners.visible(state.checkpoint().dataset(), caller);
    }
}
