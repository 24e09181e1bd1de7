package io.tuneloop.service.auth;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.tuneloop.tokens.Roles;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * An admin may call every route: rather than list {@code admin} beside every route's roles (and
 * forget it on the next route), an identity with {@code admin} gets every role.
 */
@ApplicationScoped
public class AdminHasEveryRole implements SecurityIdentityAugmentor {
    private static final Set<String> EVERY_ROLE = Set.copyOf(Roles.ALL);

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !identity.hasRole(Roles.ADMIN) || identity.getRoles().containsAll(EVERY_ROLE)) {
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity).addRoles(EVERY_ROLE).build());
    }
}
