package io.tuneloop.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Mints RS256 JWTs in the MicroProfile JWT shape the services verify: {@code iss}, {@code sub} and
 * {@code upn} (the user), {@code groups} (the roles: rater, reviewer, admin), {@code iat},
 * {@code exp}, {@code jti}. For local use and tests; in production an identity provider issues them.
 */
public final class BearerTokens {
    /** The issuer of locally minted tokens; services accept it unless configured otherwise. */
    public static final String LOCAL_ISSUER = "tuneloop-local";
    public static final List<String> ROLES = List.of("rater", "reviewer", "admin");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final PrivateKey key;
    private final String issuer;

    public BearerTokens(PrivateKey key, String issuer) {
        this.key = key;
        this.issuer = issuer;
    }

    /** A token for {@code user} with {@code roles}, valid from now for {@code ttl}. */
    public String mint(String user, List<String> roles, Duration ttl) {
        return mint(user, roles, Instant.now(), ttl);
    }

    public String mint(String user, List<String> roles, Instant issuedAt, Duration ttl) {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("a token needs a user");
        }
        for (String role : roles) {
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("unknown role " + role + "; roles are " + ROLES);
            }
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", user);
        claims.put("upn", user);
        claims.put("groups", roles);
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("exp", issuedAt.plus(ttl).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        return sign(Map.of("alg", "RS256", "typ", "JWT"), claims);
    }

    /** Signs arbitrary header and claims; tests use it for forged and malformed tokens. */
    public String sign(Map<String, ?> header, Map<String, ?> claims) {
        try {
            String signingInput = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }
}
