package io.tuneloop.eval.rest;

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

    @GET
    @Operation(summary = "Checkpoints received since this instance started")
    public Collection<CheckpointState> checkpoints() {
        return intake.checkpoints();
    }

    @GET
    @Path("/{runId}/{shard}")
    @Operation(summary = "One checkpoint, by run id and shard (checkpoint id <runId>/shard-<k>)")
    public CheckpointState checkpoint(@PathParam("runId") String runId, @PathParam("shard") String shard) {
        String id = runId + "/" + shard;
        return intake.checkpoint(id).orElseThrow(() -> new NotFoundException("no checkpoint " + id));
    }
}
