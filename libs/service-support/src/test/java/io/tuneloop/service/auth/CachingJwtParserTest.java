package io.tuneloop.service.auth;

import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.SigningKeys;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachingJwtParserTest {
    private final KeyPair keys = SigningKeys.generate();
    private final BearerTokens tokens = new BearerTokens(keys.getPrivate(), BearerTokens.LOCAL_ISSUER);
    private final CachingJwtParser parser = new CachingJwtParser(strict());

    private JWTAuthContextInfo strict() {
        JWTAuthContextInfo info = new JWTAuthContextInfo((RSAPublicKey) keys.getPublic(), BearerTokens.LOCAL_ISSUER);
        info.setClockSkew(0); // the library's default grace period would hide expiry in this test
        info.setExpGracePeriodSecs(0);
        return info;
    }

    @Test
    void aVerifiedTokenIsParsedOnceAndBadTokensFailEveryTime() throws Exception {
        String token = tokens.mint("ann", List.of("rater"), "team-a", Duration.ofHours(1));
        JsonWebToken first = parser.parse(token);
        assertThat(first.getName()).isEqualTo("ann");
        assertThat(first.getGroups()).containsExactly("rater");
        assertThat(parser.parse(token)).isSameAs(first);

        String forged = new BearerTokens(SigningKeys.generate().getPrivate(), BearerTokens.LOCAL_ISSUER)
                .mint("ann", List.of("admin"), null, Duration.ofHours(1));
        assertThatThrownBy(() -> parser.parse(forged)).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> parser.parse(forged)).isInstanceOf(ParseException.class);

        String tampered = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";
        assertThatThrownBy(() -> parser.parse(tampered)).isInstanceOf(ParseException.class);
    }

    @Test
    void anExpiredTokenIsRefusedEvenAfterItWasCached() throws Exception {
        // valid for 2 more seconds (the verifier allows no skew here): cached, then expired
        String shortLived = tokens.mint("bob", List.of("rater"), "team-a", Instant.now().minusSeconds(58), Duration.ofSeconds(60));
        assertThat(parser.parse(shortLived).getName()).isEqualTo("bob");
        Thread.sleep(2_500);
        assertThatThrownBy(() -> parser.parse(shortLived)).isInstanceOf(ParseException.class);
    }
}
