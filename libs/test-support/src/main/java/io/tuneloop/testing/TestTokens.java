package io.tuneloop.testing;

import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.SigningKeys;

import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A signing key pair made for this test JVM: services under test verify with its public half
 * ({@link TuneloopStackResource} configures it), tests mint tokens with the private one.
 */
public final class TestTokens {
    public static final KeyPair KEYS = SigningKeys.generate();
    public static final BearerTokens TOKENS = new BearerTokens(KEYS.getPrivate(), BearerTokens.LOCAL_ISSUER);
    /** The team of tokens minted without naming one. */
    public static final String TEAM = "team-a";

    private TestTokens() {
    }

    /** A token of {@code name} in {@link #TEAM} with {@code roles}. */
    public static String token(String name, String... roles) {
        return of(name, TEAM, roles);
    }

    /** A token of {@code name} in {@code team} with {@code roles}. */
    public static String of(String name, String team, String... roles) {
        return TOKENS.mint(name, List.of(roles), team, Duration.ofHours(1));
    }

    public static String rater(String name) {
        return token(name, "rater");
    }

    /** An admin's token (every role, every team). */
    public static String admin() {
        return TOKENS.mint("test-admin", List.of("admin"), null, Duration.ofHours(1));
    }

    /**
     * Makes RestAssured send an admin's token of {@link #TEAM} with every request that names none:
     * for service tests whose subject is not tokens (what they create belongs to {@link #TEAM}).
     */
    public static void asAdminByDefault() {
        io.restassured.RestAssured.authentication = io.restassured.RestAssured.oauth2(of("test-admin", TEAM, "admin"));
    }

    /** The configuration that makes a service verify these tokens. */
    public static Map<String, String> serviceConfig() {
        return Map.of("mp.jwt.verify.publickey", Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()));
    }
}
