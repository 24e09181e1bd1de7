package io.tuneloop.local;

import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.SigningKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The services' images together with Kafka and an S3 store in containers, as production runs them:
 * read-only root filesystems, non-root, configuration from the environment. A Docker engine and the
 * locally built images are needed (infra/docker/build-local-images.sh), so this runs only with
 * {@code TUNELOOP_CONTAINER_TESTS=1} (README: "Container system test"). The engine on these machines
 * has no bridge network, so every container uses the host network and binds loopback ports.
 */
@EnabledIfEnvironmentVariable(named = "TUNELOOP_CONTAINER_TESTS", matches = "1")
class ContainerSystemIT {
    private static final Path ROOT = Path.of(System.getProperty("tuneloop.repo.root", "../..")).toAbsolutePath().normalize();
    private static final String TAG = System.getenv().getOrDefault("TUNELOOP_IMAGE_TAG", "0.1.0");
    private static final List<String> SERVICES = List.of("ingest", "formatter", "trainer", "eval", "feedback");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<GenericContainer<?>> RUNNING = new ArrayList<>();
    private static final Map<String, Integer> PORTS = new LinkedHashMap<>();
    private static final KeyPair KEYS = SigningKeys.generate();
    private static final String ACCESS_KEY = "tl" + UUID.randomUUID().toString().substring(0, 8);
    private static final String SECRET_KEY = UUID.randomUUID().toString();

    @BeforeAll
    static void start() throws Exception {
        for (String name : List.of("kafka", "controller", "s3", "ingest", "formatter", "trainer", "eval", "feedback")) {
            PORTS.put(name, freePort());
        }
        String kafka = "127.0.0.1:" + PORTS.get("kafka");
        String s3 = "http://127.0.0.1:" + PORTS.get("s3");
        start(container("kafka").withEnv("KAFKA_PORT", String.valueOf(PORTS.get("kafka")))
                .withEnv("KAFKA_CONTROLLER_PORT", String.valueOf(PORTS.get("controller")))
                .waitingFor(Wait.forLogMessage(".*Kafka Server started.*", 1).withStartupTimeout(Duration.ofMinutes(2))));
        start(container("s3proxy").withEnv("S3_PORT", String.valueOf(PORTS.get("s3"))).withEnv("S3_BIND", "127.0.0.1")
                .withEnv("S3_ACCESS_KEY", ACCESS_KEY).withEnv("S3_SECRET_KEY", SECRET_KEY)
                .waitingFor(Wait.forLogMessage(".*Started ogsoejs.Server.*", 1).withStartupTimeout(Duration.ofMinutes(1))));
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka, "TUNELOOP_STORE_ENDPOINT", s3,
                "TUNELOOP_STORE_ACCESS_KEY", ACCESS_KEY, "TUNELOOP_STORE_SECRET_KEY", SECRET_KEY,
                "TUNELOOP_STORE_BUCKET", "tuneloop");
        // topics and bucket, then exit 0
        start(container("bootstrap").withEnv(env)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(2))));
        for (String service : SERVICES) {
            GenericContainer<?> container = container(service + "-service").withEnv(env)
                    .withEnv("QUARKUS_HTTP_HOST", "127.0.0.1")
                    .withEnv("QUARKUS_HTTP_PORT", String.valueOf(PORTS.get(service)))
                    .withEnv("MP_JWT_VERIFY_PUBLICKEY", Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()))
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true)
                            .withTmpFs(Map.of("/tmp", "", "/var/cache/tuneloop", "", "/var/lib/tuneloop", "")))
                    .waitingFor(Wait.forLogMessage(".*started in.*", 1).withStartupTimeout(Duration.ofMinutes(3)));
            start(container);
        }
    }

    private static GenericContainer<?> container(String image) {
        return new GenericContainer<>(DockerImageName.parse("tuneloop/" + image + ":" + TAG)).withNetworkMode("host");
    }

    private static void start(GenericContainer<?> container) {
        RUNNING.add(container);
        container.start();
    }

    @AfterAll
    static void stop() {
        for (int i = RUNNING.size() - 1; i >= 0; i--) {
            RUNNING.get(i).stop();
        }
    }

    @Test
    void theImagesRunTheLoopsFirstStepsTogether() throws Exception {
        for (String service : SERVICES) {
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() ->
                    assertThat(get(service, "/q/health/ready", null).statusCode()).as(service).isEqualTo(200));
        }
        BearerTokens tokens = new BearerTokens(KEYS.getPrivate(), BearerTokens.LOCAL_ISSUER);
        String data = tokens.mint("dana", List.of("data"), "seed-team", Duration.ofMinutes(10));
        HttpResponse<String> upload = HTTP.send(HttpRequest.newBuilder(url("ingest",
                        "/api/v1/datasets/seed/uploads?filename=seed.jsonl"))
                .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + data)
                .POST(HttpRequest.BodyPublishers.ofFile(ROOT.resolve("../shared/data/self-instruct-seed-tasks.jsonl")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() ->
                assertThat(get("formatter", "/api/v1/datasets/seed/versions", data).body()).contains("\"version\":1"));

        String rater = tokens.mint("ann", List.of("rater"), "seed-team", Duration.ofMinutes(10));
        assertThat(get("feedback", "/api/v1/queue/next", null).statusCode()).isEqualTo(401);
        assertThat(get("feedback", "/api/v1/queue/next", rater).statusCode()).isIn(200, 204);
        assertThat(get("trainer", "/api/v1/runs", null).statusCode()).isEqualTo(401);
        assertThat(get("trainer", "/api/v1/runs", tokens.mint("vic", List.of("viewer"), "seed-team", Duration.ofMinutes(10)))
                .statusCode()).isEqualTo(200);
        assertThat(get("eval", "/q/metrics", null).body()).contains("jvm_memory_used_bytes");
    }

    private static URI url(String service, String path) {
        return URI.create("http://127.0.0.1:" + PORTS.get(service) + path);
    }

    private static HttpResponse<String> get(String service, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(service, path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
