package io.tuneloop.service.rest;

import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.Identifier;
import io.tuneloop.events.Service;
import io.tuneloop.service.messaging.DeadLetterRedrive;
import io.tuneloop.service.messaging.KafkaConnection;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;

/** The service's dead-letter topics, and re-driving one after the cause of its records was fixed. */
@Path("/api/v1/admin/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@Blocking
@RolesAllowed(Roles.ADMIN)
public class DeadLetterResource {
    private final DeadLetterRedrive redrive;

    @Inject
    public DeadLetterResource(@Identifier("default-kafka-broker") Map<String, Object> kafka,
                              @ConfigProperty(name = "tuneloop.service") String service) {
        this.redrive = new DeadLetterRedrive(KafkaConnection.settings(kafka), Service.byId(service)
                .orElseThrow(() -> new IllegalStateException("tuneloop.service=" + service + " is not a service")));
    }

    @GET
    @Operation(summary = "This service's dead-letter topics: records parked in each, and how many were not re-driven yet")
    public List<DeadLetterRedrive.Status> status() {
        return redrive.status();
    }

    @POST
    @Path("/{topic}/redrive")
    @Operation(summary = "Sends every record of the dead-letter topic not re-driven before back to the topic it"
            + " came from (after the cause was fixed); records dead-lettered again go back to the dead-letter topic")
    public DeadLetterRedrive.Result redrive(@PathParam("topic") String topic) {
        return redrive.redrive(topic);
    }
}
