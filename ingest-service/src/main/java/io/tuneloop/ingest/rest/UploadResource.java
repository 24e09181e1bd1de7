package io.tuneloop.ingest.rest;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.ingest.service.IngestService;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.NoSuchArtifactException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;

/** Uploads of instruction data into a named dataset. */
@Path("/api/v1/datasets/{dataset}/uploads")
@Tag(name = "uploads")
public class UploadResource {
    private final IngestService ingest;
    private final ArtifactStore store;

    public UploadResource(IngestService ingest, ArtifactStore store) {
        this.ingest = ingest;
        this.store = store;
    }

    @POST
    @Blocking
    @Consumes({"application/x-ndjson", "application/jsonl", "application/json-lines", MediaType.TEXT_PLAIN,
            MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload a JSON Lines file (Alpaca, Dolly, self-instruct, prompt/completion, OpenAI chat,"
            + " ShareGPT; detected per record). The body is streamed to the object store, then validated.")
    @APIResponse(responseCode = "202", description = "Accepted: the batch summary (accepted, duplicate, rejected)")
    @APIResponse(responseCode = "400", description = "Invalid dataset name")
    public Response upload(@PathParam("dataset") String dataset,
                           @QueryParam("filename") @DefaultValue("upload.jsonl") String fileName,
                           InputStream body) {
        IngestBatch batch = ingest.ingestUpload(dataset, fileName, body);
        return Response.accepted(batch).build();
    }

    @GET
    @Path("/{batchId}/quarantine")
    @Produces("application/x-ndjson")
    @Operation(summary = "The rejected records of an upload, one JSON object per line: line, field, reason, raw")
    public InputStream quarantine(@PathParam("dataset") String dataset, @PathParam("batchId") String batchId) {
        IngestService.checkDatasetName(dataset);
        try {
            return store.get(IngestService.quarantineKey(dataset, batchId));
        } catch (NoSuchArtifactException e) {
            throw new NotFoundException("no rejected records for batch " + batchId + " of " + dataset);
        }
    }
}
