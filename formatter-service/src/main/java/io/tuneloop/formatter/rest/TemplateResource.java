package io.tuneloop.formatter.rest;

import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.formatter.template.TaskTemplate;
import io.tuneloop.formatter.template.TemplateLibraryProducer;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;

/** The template library: what phrasings exist, and a reload after templates were added to the store. */
@Path("/api/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "templates")
@Blocking
public class TemplateResource {
    @Inject TemplateLibraryProducer templates;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.DATA})
    @Operation(summary = "Template families and their phrasings")
    public Map<String, List<TaskTemplate>> families() {
        return templates.library().families();
    }

    @POST
    @Path("/reload")
    @RolesAllowed(Roles.DATA)
    @Operation(summary = "Read the library again (built-in, the templates folder, objects under templates/ in the"
            + " bucket); a broken file is refused with its reason and the previous library stays in use")
    public Map<String, Object> reload() {
        var library = templates.reload();
        return Map.of("families", library.families().size(), "templates", library.all().size(),
                "digest", templates.digest());
    }
}
