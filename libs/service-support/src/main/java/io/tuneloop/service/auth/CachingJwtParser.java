package io.tuneloop.service.auth;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies each distinct bearer token once and remembers the result until the token expires.
 * A rater sends the same token with every request; parsing its JSON and checking its RSA signature
 * again each time was the largest single cost of a rating request. Only a token that verified is
 * cached, keyed by its exact bytes, and every hit re-checks its expiry; a token that fails is
 * never cached and fails again. The cache is bounded: when full it starts over.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser extends DefaultJWTParser {
    static final int MAX_TOKENS = 50_000;

    private final ConcurrentHashMap<String, JsonWebToken> verified = new ConcurrentHashMap<>();

    @Inject
    public CachingJwtParser(JWTAuthContextInfo authContextInfo) {
        super(authContextInfo);
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken known = verified.get(token);
        long now = System.currentTimeMillis() / 1000;
        if (known != null && known.getExpirationTime() > now) {
            return known;
        }
        if (known != null) {
            verified.remove(token);
        }
        JsonWebToken parsed = super.parse(token); // throws for a bad signature, issuer, expiry, ...
        if (verified.size() >= MAX_TOKENS) {
            verified.clear();
        }
        verified.put(token, parsed);
        return parsed;
    }
}
