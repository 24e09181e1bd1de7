package io.tuneloop.service.auth;

import io.quarkus.security.identity.SecurityIdentity;
import io.tuneloop.events.Actor;
import io.tuneloop.tokens.Roles;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ForbiddenException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Optional;
import java.util.Set;

/**
 * Who is calling: the verified bearer token of this request, read as tuneloop reads it (the user
 * from {@code sub}, roles from {@code groups}, the team from {@code tuneloop.auth.team-claim}).
 */
@RequestScoped
public class Caller {
    @Inject SecurityIdentity identity;
    @ConfigProperty(name = "tuneloop.auth.team-claim", defaultValue = Roles.TEAM_CLAIM) String teamClaim;

    public String name() {
        return identity.getPrincipal().getName();
    }

    public boolean isAdmin() {
        return identity.hasRole(Roles.ADMIN);
    }

    public boolean hasRole(String role) {
        return identity.hasRole(role);
    }

    public Optional<String> team() {
        if (identity.getPrincipal() instanceof JsonWebToken token) {
            Object team = token.getClaim(teamClaim);
            if (team != null && !team.toString().isBlank()) {
                return Optional.of(team.toString());
            }
        }
        return Optional.empty();
    }

    /** The caller's team, for creating something the team will own: 403 with the reason when the token names none. */
    public String requireTeam() {
        return team().orElseThrow(() -> new ForbiddenException("your token has no '" + teamClaim + "' claim: what you"
                + " create belongs to a team, so it needs a token of one (./tuneloop local token NAME --role R --team T)"));
    }

    /** Whether the caller may see what {@code team} owns: their own team's, or anything for an admin. */
    public boolean sees(String team) {
        return isAdmin() || team().map(team::equals).orElse(false);
    }

    /** A caller with fixed claims, for unit tests of code that decides by caller. */
    public static Caller of(String name, String team, Set<String> roles) {
        return new Caller() {
            {
                teamClaim = Roles.TEAM_CLAIM;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean hasRole(String role) {
                return roles.contains(role) || roles.contains(Roles.ADMIN);
            }

            @Override
            public boolean isAdmin() {
                return roles.contains(Roles.ADMIN);
            }

            @Override
            public Optional<String> team() {
                return Optional.ofNullable(team);
            }
        };
    }

    /** The caller as events and artifacts record them. */
    public Actor actor() {
        return new Actor(name(), team().orElse(null));
    }

    /** The caller acting for {@code team} (the owner of what they act on, which may differ for an admin). */
    public Actor actorFor(String team) {
        return new Actor(name(), team);
    }
}
