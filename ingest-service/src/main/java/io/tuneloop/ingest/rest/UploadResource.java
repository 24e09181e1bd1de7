package io.tuneloop.ingest.rest;

import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.tuneloop.store.Artifacts.DatasetOwner;
import io.tuneloop.service.auth.HourlyAllowance;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.service.auth.Caller;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.ingest.parse.ColumnMapping;
import io.tuneloop.ingest.parse.InvalidUploadException;
import io.tuneloop.ingest.parse.UploadFormat;
import io.tuneloop.ingest.flow.Ingestion;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.NoSuchArtifactException;
import jakarta.inject.Inject;
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
    @Inject Ingestion ingest;
    @Inject ArtifactStore store;
    @Inject DatasetOwners owners;
    @Inject Caller caller;
    @Inject HourlyAllowance allowance;

    @POST
    @Blocking
    @RolesAllowed(Roles.DATA)
    @Consumes({"application/x-ndjson", "application/jsonl", "application/json-lines", MediaType.APPLICATION_JSON,
            "text/csv", "text/tab-separated-values", "application/gzip", MediaType.TEXT_PLAIN,
            MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload a file: JSON Lines, a JSON array, CSV or TSV with a header, each optionally gzip"
            + "-compressed (detected, or set with format=jsonl|json|csv|tsv). Records in Alpaca, Dolly, self-instruct,"
            + " prompt/completion, OpenAI chat, ShareGPT or FLAN inputs/targets are recognised per record; anything"
            + " else is read through mapping=instruction=<field>,output=<field>,... The body is streamed to the"
            + " object store, then validated.")
    @APIResponse(responseCode = "202", description = "Accepted: the batch summary (accepted, duplicate, rejected)")
    @APIResponse(responseCode = "400", description = "Invalid dataset name")
    @APIResponse(responseCode = "404", description = "The dataset belongs to another team")
    @APIResponse(responseCode = "429", description = "Too many uploads or bytes this hour; see Retry-After")
    public Response upload(@PathParam("dataset") String dataset,
                           @QueryParam("filename") @DefaultValue("upload.jsonl") String fileName,
                           @QueryParam("format") String format,
                           @QueryParam("mapping") String mapping,
                           InputStream body) {
        Ingestion.checkDatasetName(dataset);
        DatasetOwner owner = owners.claimOrCheck(dataset, caller);
        allowance.admit(caller.name(), "uploads");
        CountingInputStream counted = new CountingInputStream(body);
        IngestBatch batch;
        try {
            batch = ingest.ingestUpload(dataset, fileName, counted,
                    format == null || format.isBlank() ? null : UploadFormat.parse(format), parseMapping(mapping),
                    caller.actorFor(owner.team()));
        } finally {
            allowance.addBytes(caller.name(), counted.count());
        }
        return Response.accepted(batch).build();
    }

    /** {@code instruction=question,output=answer} → a column mapping. */
    static ColumnMapping parseMapping(String mapping) {
        if (mapping == null || mapping.isBlank()) {
            return ColumnMapping.NONE;
        }
        java.util.Map<String, String> pairs = new java.util.HashMap<>();
        for (String pair : mapping.split(",")) {
            String[] parts = pair.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("mapping must look like instruction=question,output=answer; got '"
                        + pair + "'");
            }
            pairs.put(parts[0].trim(), parts[1].trim());
        }
        return new ColumnMapping(pairs);
    }

    /** Counts what an upload streamed, for the caller's byte allowance. */
    static final class CountingInputStream extends java.io.FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws java.io.IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws java.io.IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        long count() {
            return count;
        }
    }

    @org.jboss.resteasy.reactive.server.ServerExceptionMapper
    public Response invalidUpload(InvalidUploadException e) {
        return io.tuneloop.service.rest.ErrorMappers.error(e.tooLarge() ? Response.Status.REQUEST_ENTITY_TOO_LARGE
                : Response.Status.BAD_REQUEST, e.getMessage());
    }

    @GET
    @Path("/{batchId}")
    @RolesAllowed({Roles.VIEWER, Roles.DATA})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The summary of a committed upload: records read, accepted, duplicates, rejected")
    public IngestBatch status(@PathParam("dataset") String dataset, @PathParam("batchId") String batchId) {
        Ingestion.checkDatasetName(dataset);
        owners.checkVisible(dataset, caller);
        return ingest.batch(dataset, batchId)
                .orElseThrow(() -> new NotFoundException("no committed upload " + batchId + " in dataset " + dataset));
    }

    @GET
    @Path("/{batchId}/quarantine")
    @RolesAllowed({Roles.VIEWER, Roles.DATA})
    @Produces("application/x-ndjson")
    @Operation(summary = "The rejected records of an upload, one JSON object per line: line, field, reason, raw")
    public InputStream quarantine(@PathParam("dataset") String dataset, @PathParam("batchId") String batchId) {
        Ingestion.checkDatasetName(dataset);
        owners.checkVisible(dataset, caller);
        try {
            return Artifacts.QUARANTINE.open(store, new Artifacts.Batch(dataset, batchId));
        } catch (NoSuchArtifactException e) {
            throw new NotFoundException("no rejected records for batch " + batchId + " of " + dataset);
        }
    }
}
