package io.tuneloop.trainer.rest;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.service.rest.ErrorMappers;
import io.tuneloop.trainer.flow.RunExistsException;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.flow.RunState;
import io.tuneloop.trainer.flow.Runs;
import io.tuneloop.model.train.StepRecord;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Collection;
import java.util.List;

/** Training runs. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "runs")
@Blocking
public class RunResource {
    @Inject Runs trainer;

    @POST
    @Path("/runs")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a run: validates the spec against the object store and sends the first shard")
    @APIResponse(responseCode = "201", description = "Run planned")
    @APIResponse(responseCode = "400", description = "Invalid spec, unknown dataset version or base model")
    @APIResponse(responseCode = "409", description = "A run with this id exists")
    public Response start(RunSpec spec) {
        if (spec == null) {
            throw new BadRequestException("a run spec is required");
        }
        RunState state = trainer.start(spec);
        return Response.status(Response.Status.CREATED).entity(state).build();
    }

    @GET
    @Path("/runs")
    @Blocking
    @Operation(summary = "Every run in the object store")
    public Collection<RunState> runs() {
        return trainer.runs();
    }

    @GET
    @Path("/runs/{runId}")
    @Operation(summary = "One run: state, step, loss, validation loss, tokens/s and ETA")
    public RunState run(@PathParam("runId") String runId) {
        return trainer.run(runId).orElseThrow(() -> new NotFoundException("no run " + runId));
    }

    @GET
    @Path("/runs/{runId}/steps")
    @Blocking
    @Operation(summary = "Every completed step's loss, learning rate, gradient norm and tokens, from the sealed checkpoints")
    public List<StepRecord> steps(@PathParam("runId") String runId) {
        run(runId);
        return trainer.steps(runId);
    }

    @POST
    @Path("/runs/{runId}/cancel")
    @Blocking
    @Operation(summary = "Cancel a run: the shard in progress stops within seconds without writing a checkpoint")
    public RunState cancel(@PathParam("runId") String runId) {
        run(runId);
        return trainer.cancel(runId);
    }

    @POST
    @Path("/runs/{runId}/resume")
    @Blocking
    @Operation(summary = "Resume a cancelled or failed run from its last sealed checkpoint")
    public RunState resume(@PathParam("runId") String runId) {
        run(runId);
        return trainer.resume(runId);
    }

    @GET
    @Path("/dataset-versions")
    @Operation(summary = "Dataset versions announced since this instance started")
    public Collection<DatasetVersion> datasetVersions() {
        return trainer.datasetVersions();
    }

    @ServerExceptionMapper
    public Response exists(RunExistsException e) {
        return ErrorMappers.error(Response.Status.CONFLICT, e.getMessage());
    }
}
