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
 * {@code upn} (the user), {@code groups} (the roles of {@link Roles}), {@code team} (the team that
 * owns what the user creates and the only team whose objects they see; admins need none),
 * {@code iat}, {@code exp}, {@code jti}. For local use and tests; in production an identity
 * provider issues them.
 */
public final class BearerTokens {
    /** The issuer of locally minted tokens; services accept it unless configured otherwise. */
    public static final String LOCAL_ISSUER = "tuneloop-local";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final PrivateKey key;
    private final String issuer;

    public BearerTokens(PrivateKey key, String issuer) {
        this.key = key;
        this.issuer = issuer;
    }

    /** A token for {@code user} of {@code team} with {@code roles}, valid from now for {@code ttl}. */
    public String mint(String user, List<String> roles, String team, Duration ttl) {
        return mint(user, roles, team, Instant.now(), ttl);
    }

    /**
     * @param team the caller's team; null only for a token whose roles are all {@code admin}
     */
    public String mint(String user, List<String> roles, String team, Instant issuedAt, Duration ttl) {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("a token needs a user");
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("a token needs a role; roles are " + Roles.ALL);
        }
        for (String role : roles) {
            if (!Roles.ALL.contains(role)) {
                throw new IllegalArgumentException("unknown role " + role + "; roles are " + Roles.ALL);
            }
        }
        if (team == null && !roles.stream().allMatch(Roles.ADMIN::equals)) {
            throw new IllegalArgumentException("a token with roles " + roles + " needs a team (only admins see every team)");
        }
        if (team != null && !team.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            throw new IllegalArgumentException("a team name is lower-case letters, digits, '-' and '_', was " + team);
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", user);
        claims.put("upn", user);
        claims.put("groups", roles);
        if (team != null) {
            claims.put(Roles.TEAM_CLAIM, team);
        }
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
