package io.tuneloop.feedback;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.SigningKeys;

import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** A key pair made for this test JVM: the service verifies with its public half, tests mint with the private one. */
public class TestTokens implements QuarkusTestResourceLifecycleManager {
    static final KeyPair KEYS = SigningKeys.generate();
    static final BearerTokens TOKENS = new BearerTokens(KEYS.getPrivate(), BearerTokens.LOCAL_ISSUER);

    public static String rater(String name) {
        return TOKENS.mint(name, List.of("rater"), Duration.ofHours(1));
    }

    public static String token(String name, String... roles) {
        return TOKENS.mint(name, List.of(roles), Duration.ofHours(1));
    }

    @Override
    public Map<String, String> start() {
        return Map.of("mp.jwt.verify.publickey", Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()));
    }

    @Override
    public void stop() {
    }
}
