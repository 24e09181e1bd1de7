package io.tuneloop.local;

import io.tuneloop.events.Topic;
import io.tuneloop.events.Topics;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.StoreSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Prepares a running local stack for the services: creates every topic of the catalog
 * ({@link Topics#ALL} with their partitions, and every dead-letter topic with one partition, all
 * with replication factor 1) and the artifact bucket. Idempotent: existing topics and an existing
 * bucket are left as they are, except that a topic with fewer partitions than the catalog asks
 * for (e.g. auto-created by a service that started first) is grown to the catalog's count.
 *
 * <p>Settings come from the environment ({@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code TUNELOOP_STORE_ENDPOINT}, {@code TUNELOOP_STORE_ACCESS_KEY}, {@code TUNELOOP_STORE_SECRET_KEY},
 * {@code TUNELOOP_STORE_BUCKET}, {@code TUNELOOP_BOOTSTRAP_TIMEOUT_SECONDS}); {@code name=value}
 * arguments with the lower-case dotted names ({@code kafka.bootstrap.servers=...},
 * {@code tuneloop.store.endpoint=...}, ...) override them. Arguments {@code --skip-kafka} and
 * {@code --skip-store} leave out one half. Exit status 0 on success, 1 on failure, 2 on bad usage.
 */
public final class StackBootstrap {

    private static final short REPLICATION_FACTOR = 1;

    private final Map<String, String> settings;
    private final Duration timeout;

    private StackBootstrap(Map<String, String> settings) {
        this.settings = settings;
        this.timeout = Duration.ofSeconds(Long.parseLong(setting("tuneloop.bootstrap.timeout.seconds", "60")));
    }

    public static void main(String[] args) {
        Map<String, String> overrides = new HashMap<>();
        boolean kafka = true;
        boolean store = true;
        for (String arg : args) {
            if (arg.equals("--skip-kafka")) {
                kafka = false;
            } else if (arg.equals("--skip-store")) {
                store = false;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                usage();
                return;
            } else if (arg.contains("=")) {
                String name = arg.startsWith("-D") ? arg.substring(2) : arg;
                int eq = name.indexOf('=');
                overrides.put(name.substring(0, eq), name.substring(eq + 1));
            } else {
                System.err.println("stack-bootstrap: unknown argument: " + arg);
                usage();
                System.exit(2);
            }
        }
        try {
            StackBootstrap bootstrap = new StackBootstrap(overrides);
            if (kafka) {
                bootstrap.createTopics();
            }
            if (store) {
                bootstrap.createBucket();
            }
        } catch (BootstrapException e) {
            System.err.println("stack-bootstrap: FAILED: " + e.getMessage());
            System.exit(1);
        } catch (RuntimeException e) {
            System.err.println("stack-bootstrap: FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        // The Kafka and OkHttp clients leave non-daemon threads behind for a while.
        System.exit(0);
    }

    private static void usage() {
        System.err.println("""
                usage: StackBootstrap [--skip-kafka] [--skip-store] [name=value ...]
                  names (env var in brackets):
                    kafka.bootstrap.servers           [KAFKA_BOOTSTRAP_SERVERS]            default 127.0.0.1:9092
                    tuneloop.store.endpoint           [TUNELOOP_STORE_ENDPOINT]            default http://127.0.0.1:9000
                    tuneloop.store.access-key         [TUNELOOP_STORE_ACCESS_KEY]          required
                    tuneloop.store.secret-key         [TUNELOOP_STORE_SECRET_KEY]          required
                    tuneloop.store.bucket             [TUNELOOP_STORE_BUCKET]              default tuneloop
                    tuneloop.bootstrap.timeout.seconds [TUNELOOP_BOOTSTRAP_TIMEOUT_SECONDS] default 60""");
    }

    /** An argument, else the environment variable of the same name in upper snake case, else the default. */
    private String setting(String name, String defaultValue) {
        String value = settings.get(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name.toUpperCase().replace('.', '_').replace('-', '_'));
        }
        if (value == null || value.isBlank()) {
            value = defaultValue;
        }
        return value;
    }

    private String required(String name) {
        String value = setting(name, null);
        if (value == null) {
            throw new BootstrapException("missing setting " + name + " (env "
                    + name.toUpperCase().replace('.', '_').replace('-', '_') + ")");
        }
        return value;
    }

    // ---------------------------------------------------------------- Kafka

    private void createTopics() {
        String servers = setting("kafka.bootstrap.servers", "127.0.0.1:9092");
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (Topic<String, ?> topic : Topics.ALL) {
            wanted.put(topic.name(), topic.partitions());
        }
        for (String dlq : Topics.deadLetterTopics()) {
            wanted.put(dlq, 1);
        }

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "tuneloop-stack-bootstrap");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        try (Admin admin = Admin.create(props)) {
            awaitBroker(admin, servers);

            List<NewTopic> requests = new ArrayList<>();
            wanted.forEach((name, partitions) -> requests.add(new NewTopic(name, partitions, REPLICATION_FACTOR)));
            var results = admin.createTopics(requests).values();
            int created = 0;
            List<String> existing = new ArrayList<>();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created++;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        existing.add(entry.getKey());
                    } else {
                        throw new BootstrapException("create topic " + entry.getKey() + ": " + e.getCause(), e);
                    }
                }
            }
            int grown = growPartitions(admin, existing, wanted);
            System.out.printf("stack-bootstrap: Kafka %s: %d topics (%d created, %d already there, %d grown)%n",
                    servers, wanted.size(), created, existing.size(), grown);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BootstrapException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new BootstrapException("Kafka at " + servers + " did not answer in time", e);
        }
    }

    private void awaitBroker(Admin admin, String servers) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                if (nodes > 0) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new BootstrapException("Kafka at " + servers + " is not reachable after " + timeout.toSeconds()
                + " s" + (last == null ? "" : ": " + last), last);
    }

    private int growPartitions(Admin admin, List<String> existing, Map<String, Integer> wanted)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        if (existing.isEmpty()) {
            return 0;
        }
        Map<String, TopicDescription> descriptions;
        try {
            descriptions = admin.describeTopics(existing).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new BootstrapException("describe topics: " + e.getCause(), e);
        }
        Map<String, NewPartitions> grow = new HashMap<>();
        descriptions.forEach((name, description) -> {
            int have = description.partitions().size();
            int want = wanted.get(name);
            if (have < want) {
                System.out.printf("stack-bootstrap: topic %s has %d partitions, growing to %d%n", name, have, want);
                grow.put(name, NewPartitions.increaseTo(want));
            }
        });
        if (!grow.isEmpty()) {
            try {
                admin.createPartitions(grow).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new BootstrapException("grow partitions: " + e.getCause(), e);
            }
        }
        return grow.size();
    }

    // ---------------------------------------------------------------- object store

    private void createBucket() {
        StoreSettings store = new StoreSettings(
                setting("tuneloop.store.endpoint", "http://127.0.0.1:9000"),
                required("tuneloop.store.access-key"),
                required("tuneloop.store.secret-key"),
                setting("tuneloop.store.bucket", "tuneloop"),
                null);
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last;
        do {
            try (ArtifactStore artifacts = ArtifactStore.connect(store)) {
                artifacts.ensureBucket();
                System.out.printf("stack-bootstrap: object store %s: bucket %s ready%n", store.endpoint(), store.bucket());
                return;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BootstrapException("interrupted", e);
            }
        } while (System.nanoTime() < deadline);
        // The MinIO client's messages carry a whole request dump: keep the first line.
        String message = String.valueOf(last.getMessage()).lines().findFirst().orElse("");
        Throwable cause = last.getCause();
        String reason = cause == null ? "" : " (" + String.valueOf(cause).lines().findFirst().orElse("") + ")";
        throw new BootstrapException("bucket " + store.bucket() + " at " + store.endpoint() + ": " + message + reason, last);
    }

    private static final class BootstrapException extends RuntimeException {
        BootstrapException(String message) {
            super(message);
        }

        BootstrapException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
