package io.tuneloop.testing;

import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.StoreSettings;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stack run by the {@code ./tuneloop} launcher for a test: its own state directory and free
 * loopback ports, so it never meets a developer's stack. Everything goes through the launcher and
 * the services' public interfaces, as a user would; the test may SIGKILL the processes this stack
 * started (never anything else).
 */
public final class LauncherStack {
    public static final List<String> SERVICES = List.of("ingest", "formatter", "trainer", "eval", "feedback");

    /** What a launcher command printed, and its exit code. */
    public record Result(int exitCode, String output) {
    }

    private final Path root;
    private final Path state;
    private final Path lib;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param root  the repository (where {@code ./tuneloop} is)
     * @param state the stack's state directory (deleted first)
     * @param lib   where the launcher keeps the Kafka and S3Proxy jars (shared between test stacks)
     */
    public LauncherStack(Path root, Path state, Path lib) throws IOException {
        this.root = root;
        this.state = state;
        this.lib = lib;
        deleteRecursively(state);
        for (String name : List.of("kafka", "controller", "s3", "ingest", "formatter", "trainer", "eval", "feedback")) {
            ports.put(name, freePort());
        }
    }

    public Path state() {
        return state;
    }

    /**
     * A setting for every service this stack starts from now on, as an environment variable
     * (for example {@code TUNELOOP_INGEST_STREAM_MAX_AGE} for {@code tuneloop.ingest.stream.max-age}).
     */
    public LauncherStack with(String environmentVariable, String value) {
        settings.put(environmentVariable, value);
        return this;
    }

    public int port(String component) {
        return ports.get(component);
    }

    public String kafka() {
        return "127.0.0.1:" + ports.get("kafka");
    }

    public URI url(String service, String path) {
        return URI.create("http://127.0.0.1:" + ports.get(service) + path);
    }

    /** Runs {@code ./tuneloop <args>} against this stack (its state directory and ports). */
    public Result tuneloop(Duration timeout, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder();
        builder.command().add(root.resolve("tuneloop").toString());
        builder.command().addAll(List.of(args));
        builder.directory(root.toFile()).redirectErrorStream(true);
        environment(builder.environment());
        Path output = Files.createTempFile("tuneloop-", ".out");
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroy();
                process.waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError("./tuneloop " + String.join(" ", args) + " did not finish in " + timeout + ":\n"
                        + Files.readString(output));
            }
            String text = Files.readString(output);
            System.out.println("$ ./tuneloop " + String.join(" ", args) + "\n" + text);
            return new Result(process.exitValue(), text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    public Result tuneloop(String... args) throws IOException, InterruptedException {
        return tuneloop(Duration.ofMinutes(10), args);
    }

    /** The launcher's environment for this stack: state, jars and every port. */
    public void environment(Map<String, String> env) {
        env.put("TUNELOOP_STATE_DIR", state.toString());
        env.put("TUNELOOP_DEMO_STATE_DIR", state.toString());
        env.put("TUNELOOP_LIB_DIR", lib.toString());
        env.put("KAFKA_PORT", String.valueOf(ports.get("kafka")));
        env.put("KAFKA_CONTROLLER_PORT", String.valueOf(ports.get("controller")));
        env.put("S3_PORT", String.valueOf(ports.get("s3")));
        for (String service : SERVICES) {
            env.put("TUNELOOP_" + service.toUpperCase() + "_PORT", String.valueOf(ports.get(service)));
        }
        env.putAll(settings);
    }

    /** The pid the launcher recorded for a component it started. */
    public String pid(String component) throws IOException {
        return Files.readString(state.resolve("run/" + component + ".pid")).trim();
    }

    /** SIGKILL to a process of this stack, then waits until it is gone. */
    public void killHard(String component) throws IOException, InterruptedException {
        String pid = pid(component);
        if (new ProcessBuilder("kill", "-KILL", pid).start().waitFor() != 0) {
            throw new AssertionError("kill -KILL " + pid + " (" + component + ") failed");
        }
        Instant deadline = Instant.now().plusSeconds(30);
        while (Files.exists(Path.of("/proc", pid)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
    }

    /** The team of {@link #adminToken()}: what the stack's tests create belongs to it. */
    public static final String TEAM = "demo";

    /**
     * A token signed with the stack's key (made by {@code ./tuneloop local up}) for {@code user} of
     * {@code team} with {@code roles}.
     */
    public String token(String user, String team, String... roles) {
        io.tuneloop.tokens.BearerTokens tokens = new io.tuneloop.tokens.BearerTokens(
                io.tuneloop.tokens.SigningKeys.readPrivate(state.resolve("keys").resolve(io.tuneloop.tokens.SigningKeys.PRIVATE_FILE)),
                io.tuneloop.tokens.BearerTokens.LOCAL_ISSUER);
        return tokens.mint(user, List.of(roles), team, Duration.ofHours(2));
    }

    /** An admin of {@link #TEAM}: every route, every team's objects; what it creates belongs to {@link #TEAM}. */
    public String adminToken() {
        return token("stack-admin", TEAM, "admin");
    }

    /** GET as an admin ({@link #adminToken()}). */
    public HttpResponse<String> get(String service, String path) throws IOException, InterruptedException {
        return get(service, path, adminToken());
    }

    /** GET with {@code token} (null: with no token at all). */
    public HttpResponse<String> get(String service, String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(service, path)).timeout(Duration.ofSeconds(30));
        if (token == null) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        return send(request.header("Authorization", "Bearer " + token).build());
    }

    /** Makes {@code team} the owner of {@code dataset}, as its first upload would (for data a test puts on a topic). */
    public void claim(String dataset, String team) throws IOException {
        try (ArtifactStore store = store()) {
            io.tuneloop.store.Artifacts.DATASET_OWNER.write(store, dataset, new io.tuneloop.store.Artifacts.DatasetOwner(
                    dataset, team, "test", java.time.Instant.now()));
        }
    }

    /** Sends {@code request}; one that names no token goes as the stack's admin ({@link #adminToken()}). */
    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(asAdminUnlessAuthorized(request), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code request} with the admin's token when it names none. */
    public HttpRequest asAdminUnlessAuthorized(HttpRequest request) {
        if (request.headers().firstValue("Authorization").isPresent()) {
            return request;
        }
        return HttpRequest.newBuilder(request, (name, value) -> true)
                .header("Authorization", "Bearer " + adminToken()).build();
    }

    /** A client of the stack's S3 store, with the credentials the launcher generated. */
    public ArtifactStore store() throws IOException {
        Map<String, String> credentials = new HashMap<>();
        for (String line : Files.readAllLines(state.resolve("credentials"))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                credentials.put(line.substring(0, eq), line.substring(eq + 1).replace("'", "").replace("\"", ""));
            }
        }
        return ArtifactStore.connect(new StoreSettings("http://127.0.0.1:" + ports.get("s3"),
                credentials.get("TUNELOOP_STORE_ACCESS_KEY"), credentials.get("TUNELOOP_STORE_SECRET_KEY"), "tuneloop", null));
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
