package io.tuneloop.ingest.rest;

import jakarta.ws.rs.ForbiddenException;
import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.tuneloop.store.Artifacts.DatasetOwner;
import io.tuneloop.service.auth.HourlyAllowance;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.service.auth.Caller;
import io.tuneloop.ingest.config.IngestConfig;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.ingest.parse.UploadFormat;
import io.tuneloop.ingest.flow.Ingestion;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.ObjectInfo;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Ingest of files already in the object store: one object, or every object under a prefix. Only
 * the team's import folder ({@code incoming/<team>/} by default) can be read: the bucket also holds
 * every team's datasets, checkpoints and models, which an import must never reach.
 */
@Path("/api/v1/datasets/{dataset}/imports")
@Tag(name = "uploads")
public class ImportResource {
    @Inject Ingestion ingest;
    @Inject ArtifactStore store;
    @Inject DatasetOwners owners;
    @Inject Caller caller;
    @Inject HourlyAllowance allowance;
    @Inject IngestConfig config;

    /**
     * @param uri     {@code s3://<bucket>/<key>} or {@code s3://<bucket>/<prefix>/} (the service's bucket)
     * @param format  jsonl, json, csv or tsv; detected when absent
     * @param mapping column mapping, as for uploads
     */
    public record ImportRequest(String uri, String format, String mapping) {
    }

    @POST
    @Blocking
    @RolesAllowed(Roles.DATA)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ingest an object (or all objects under a prefix ending in '/') of the service's bucket;"
            + " each object is one batch")
    public List<IngestBatch> importObjects(@PathParam("dataset") String dataset, ImportRequest request) {
        if (request == null || request.uri() == null) {
            throw new IllegalArgumentException("uri is required, e.g. s3://" + store.bucket() + "/incoming/data.jsonl");
        }
        String prefix = "s3://" + store.bucket() + "/";
        if (!request.uri().startsWith(prefix) || request.uri().length() == prefix.length()) {
            throw new IllegalArgumentException("uri must name an object or prefix in s3://" + store.bucket()
                    + "/ (the bucket this service reads), was " + request.uri());
        }
        String key = request.uri().substring(prefix.length());
        Ingestion.checkDatasetName(dataset);
        DatasetOwner owner = owners.claimOrCheck(dataset, caller);
        String folder = caller.isAdmin() && caller.team().isEmpty() ? config.importRoot()
                : config.importRoot() + caller.requireTeam() + "/";
        if (!key.startsWith(folder) || key.contains("..")) {
            throw new ForbiddenException("imports read only your team's folder s3://" + store.bucket() + "/" + folder
                    + "; " + request.uri() + " is outside it");
        }
        List<ObjectInfo> objects = key.endsWith("/") ? store.list(key)
                : store.stat(key).map(List::of).orElse(List.of());
        if (objects.isEmpty()) {
            throw new NotFoundException("nothing at " + request.uri());
        }
        UploadFormat format = request.format() == null ? null : UploadFormat.parse(request.format());
        List<IngestBatch> batches = new ArrayList<>();
        for (ObjectInfo object : objects) {
            allowance.admit(caller.name(), "uploads");
            allowance.addBytes(caller.name(), object.size());
            try (InputStream in = store.get(object.key())) {
                String name = object.key().substring(object.key().lastIndexOf('/') + 1);
                batches.add(ingest.ingestUpload(dataset, name, in, format, UploadResource.parseMapping(request.mapping()),
                        caller.actorFor(owner.team())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + object.key(), e);
            }
        }
        return batches;
    }
}
