package io.tuneloop.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BearerTokensTest {

    @Test
    void aMintedTokenCarriesTheClaimsAndVerifiesWithThePublicKey() throws Exception {
        KeyPair pair = SigningKeys.generate();
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        String token = new BearerTokens(pair.getPrivate(), "tuneloop-local").mint("alice", List.of("rater"), "team-a",
                now, Duration.ofHours(1));

        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        JsonNode header = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertThat(header.get("alg").asText()).isEqualTo("RS256");
        assertThat(claims.get("sub").asText()).isEqualTo("alice");
        assertThat(claims.get("upn").asText()).isEqualTo("alice");
        assertThat(claims.get("groups").get(0).asText()).isEqualTo("rater");
        assertThat(claims.get("team").asText()).isEqualTo("team-a");
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(3600);

        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(pair.getPublic());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        assertThat(SigningKeys.publicOf(pair.getPrivate())).isEqualTo(pair.getPublic());
    }

    @Test
    void keyFilesAreCreatedOnceAndReadBack(@TempDir Path dir) throws Exception {
        KeyPair first = SigningKeys.createIfMissing(dir);
        KeyPair again = SigningKeys.createIfMissing(dir);
        assertThat(again.getPublic()).isEqualTo(first.getPublic());
        assertThat(again.getPrivate()).isEqualTo(first.getPrivate());
        assertThat(Files.readString(dir.resolve("public.pem"))).startsWith("-----BEGIN PUBLIC KEY-----");
        // a set without order (it printed either way round): compare members
        assertThat(Files.getPosixFilePermissions(dir.resolve("private.pem"))).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void theToolMintsTokensAndRefusesBadUsage(@TempDir Path dir) {
        TokenTool.run(new String[]{"keys", dir.toString()});
        String token = TokenTool.run(new String[]{"mint", dir.toString(), "bob", "--role", "admin", "--ttl", "30m"});
        assertThat(token.split("\\.")).hasSize(3);
        assertThatThrownBy(() -> TokenTool.run(new String[]{"mint", dir.toString(), "bob", "--role", "root"}))
                .hasMessageContaining("unknown role root");
        assertThatThrownBy(() -> TokenTool.run(new String[]{"mint", dir.toString(), "bob", "--ttl", "soon"}))
                .hasMessageContaining("90s, 30m");
        assertThatThrownBy(() -> TokenTool.run(new String[]{"sign"})).hasMessageContaining("usage");
        String withTeam = TokenTool.run(new String[]{"mint", dir.toString(), "dana", "--role", "data", "--team", "nlp"});
        assertThat(new String(Base64.getUrlDecoder().decode(withTeam.split("\\.")[1]), StandardCharsets.UTF_8))
                .contains("\"team\":\"nlp\"").contains("\"groups\":[\"data\"]");
        // only admins may go without a team; no silent default role either
        assertThatThrownBy(() -> TokenTool.run(new String[]{"mint", dir.toString(), "dana", "--role", "data"}))
                .hasMessageContaining("needs a team");
        assertThatThrownBy(() -> TokenTool.run(new String[]{"mint", dir.toString(), "dana", "--team", "nlp"}))
                .hasMessageContaining("--role");
        assertThatThrownBy(() -> TokenTool.run(new String[]{"mint", dir.toString(), "dana", "--role", "data",
                "--team", "Bad Team"})).hasMessageContaining("team name");
    }
}
