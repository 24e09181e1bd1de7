package io.tuneloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topic;
import io.tuneloop.events.Topics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes overlays render offline ({@code kubectl kustomize}) and say what the catalog says:
 * a KafkaTopic for every topic and dead-letter topic, a Deployment, Service and ServiceMonitor for
 * every service, probes, resources and a locked-down security context everywhere; in production
 * replication 3 with min ISR 2, and one Kafka user per service whose ACLs are exactly its wiring;
 * GPU limits, tolerations and node selection for the trainer in the gpu overlay.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of(System.getProperty("tuneloop.repo.root", "../..")).toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, List<JsonNode>> RENDERED = new HashMap<>();

    @BeforeAll
    static void render() throws Exception {
        Path kubectl = Path.of("/usr/bin/kubectl");
        if (!"1".equals(System.getenv("TUNELOOP_REQUIRE_KUBECTL"))) {
            Assumptions.assumeTrue(Files.isExecutable(kubectl), "no kubectl");
        }
        for (String overlay : List.of("local", "production", "gpu")) {
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", ROOT.resolve("k8s/overlays/" + overlay).toString())
                    .redirectErrorStream(false).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(overlay + ": " + errors).isZero();
            List<JsonNode> docs = new ArrayList<>();
            try (YAMLParser parser = new YAMLFactory().createParser(output)) {
                YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
            }
            RENDERED.put(overlay, docs);
        }
    }

    private static List<JsonNode> kind(String overlay, String kind) {
        return RENDERED.get(overlay).stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode named(String overlay, String kind, String name) {
        return kind(overlay, kind).stream().filter(d -> d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(overlay + " has no " + kind + " " + name));
    }

    @Test
    void everyCatalogTopicAndDeadLetterTopicHasAKafkaTopic() {
        for (String overlay : RENDERED.keySet()) {
            Map<String, JsonNode> topics = kind(overlay, "KafkaTopic").stream()
                    .collect(Collectors.toMap(t -> t.path("spec").path("topicName").asText(), t -> t));
            for (Topic<String, ?> topic : Topics.ALL) {
                assertThat(topics).as(overlay).containsKey(topic.name());
                assertThat(topics.get(topic.name()).path("spec").path("partitions").asInt()).as(topic.name())
                        .isEqualTo(topic.partitions());
            }
            assertThat(topics.keySet()).as(overlay).containsAll(Topics.deadLetterTopics());
            assertThat(topics).as(overlay + ": nothing outside the catalog").hasSize(Topics.ALL.size()
                    + Topics.deadLetterTopics().size());
        }
    }

    @Test
    void everyServiceHasADeploymentServiceAndServiceMonitorWithProbesResourcesAndNoRoot() {
        for (String overlay : RENDERED.keySet()) {
            for (Service service : Service.ALL) {
                String name = service.id() + "-service";
                JsonNode pod = named(overlay, "Deployment", name).path("spec").path("template").path("spec");
                JsonNode container = pod.path("containers").get(0);
                assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
                assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
                assertThat(container.path("resources").path("requests").has("memory")).as(name).isTrue();
                assertThat(container.path("resources").path("limits").has("memory")).as(name).isTrue();
                assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(name).isTrue();
                assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
                assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
                named(overlay, "Service", name);
                JsonNode monitor = named(overlay, "ServiceMonitor", name);
                assertThat(monitor.path("spec").path("endpoints").get(0).path("path").asText()).isEqualTo("/q/metrics");
            }
        }
    }

    @Test
    void productionReplicatesThreeTimesAndGivesEachServiceExactlyItsAcls() {
        for (JsonNode topic : kind("production", "KafkaTopic")) {
            assertThat(topic.path("spec").path("replicas").asInt()).isEqualTo(3);
            assertThat(topic.path("spec").path("config").path("min.insync.replicas").asInt()).isEqualTo(2);
        }
        assertThat(named("production", "KafkaNodePool", "dual-role").path("spec").path("replicas").asInt()).isEqualTo(3);
        JsonNode listeners = named("production", "Kafka", "tuneloop").path("spec").path("kafka").path("listeners");
        assertThat(listeners).allSatisfy(l -> {
            assertThat(l.path("tls").asBoolean()).isTrue();
            assertThat(l.path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
        });
        for (Service service : Service.ALL) {
            JsonNode acls = named("production", "KafkaUser", "tuneloop-" + service.id()).path("spec").path("authorization")
                    .path("acls");
            Set<String> actual = new TreeSet<>();
            for (JsonNode acl : acls) {
                if (acl.path("resource").path("type").asText().equals("topic")) {
                    for (JsonNode op : acl.path("operations")) {
                        actual.add(acl.path("resource").path("name").asText() + ":" + op.asText());
                    }
                }
            }
            Set<String> expected = new TreeSet<>();
            service.consumes().forEach(t -> {
                expected.add(t.name() + ":Read");
                expected.add(t.name() + ":Describe");
                expected.add(t.deadLetterTopic(service) + ":Write");
                expected.add(t.deadLetterTopic(service) + ":Describe");
            });
            service.produces().forEach(t -> {
                expected.add(t.name() + ":Write");
                expected.add(t.name() + ":Describe");
            });
            assertThat(actual).as(service.id()).isEqualTo(expected);
            JsonNode env = named("production", "Deployment", service.id() + "-service").path("spec").path("template")
                    .path("spec").path("containers").get(0).path("env");
            assertThat(env.findValuesAsText("name")).contains("KAFKA_SASL_JAAS_CONFIG", "TUNELOOP_STORE_ACCESS_KEY",
                    "TUNELOOP_STORE_SECRET_KEY", "TUNELOOP_STORE_ENDPOINT");
        }
        assertThat(kind("production", "NetworkPolicy")).extracting(p -> p.path("metadata").path("name").asText())
                .contains("default-deny-ingress", "allow-feedback-api", "allow-monitoring");
        // no secret material in the manifests: credentials come from Secrets created outside the repository
        for (String overlay : RENDERED.keySet()) {
            assertThat(kind(overlay, "Secret")).as(overlay).isEmpty();
        }
    }

    @Test
    void theGpuOverlayPutsTheTrainerOnGpuNodes() {
        JsonNode pod = named("gpu", "Deployment", "trainer-service").path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("resources").path("limits").path("nvidia.com/gpu").asInt()).isEqualTo(1);
        assertThat(container.path("image").asText()).endsWith("-gpu");
        assertThat(pod.path("tolerations").get(0).path("key").asText()).isEqualTo("nvidia.com/gpu");
        assertThat(pod.path("nodeSelector").path("nvidia.com/gpu.present").asText()).isEqualTo("true");
        JsonNode other = named("gpu", "Deployment", "eval-service").path("spec").path("template").path("spec");
        assertThat(other.path("containers").get(0).path("resources").path("limits").has("nvidia.com/gpu")).isFalse();
    }

    /**
     * Every rendered resource read into its Kubernetes API model (fabric8 for the core APIs and the
     * Prometheus operator, Strimzi's own model for Kafka): a field the API does not know (a typo, a
     * wrong nesting) fails, with its path. KEDA has no Java model: its two kinds are checked by shape.
     */
    @Test
    void everyRenderedResourceMatchesItsApiSchemaWithNoUnknownFields() {
        Map<String, Class<?>> models = Map.ofEntries(
                Map.entry("v1/Namespace", io.fabric8.kubernetes.api.model.Namespace.class),
                Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
                Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
                Map.entry("v1/ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class),
                Map.entry("v1/PersistentVolumeClaim", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class),
                Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
                Map.entry("batch/v1/Job", io.fabric8.kubernetes.api.model.batch.v1.Job.class),
                Map.entry("networking.k8s.io/v1/NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
                Map.entry("monitoring.coreos.com/v1/ServiceMonitor", io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class),
                Map.entry("kafka.strimzi.io/v1beta2/Kafka", io.strimzi.api.kafka.model.kafka.Kafka.class),
                Map.entry("kafka.strimzi.io/v1beta2/KafkaNodePool", io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class),
                Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", io.strimzi.api.kafka.model.topic.KafkaTopic.class),
                Map.entry("kafka.strimzi.io/v1beta2/KafkaUser", io.strimzi.api.kafka.model.user.KafkaUser.class));
        ObjectMapper strict = new ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<String> problems = new ArrayList<>();
        int validated = 0;
        for (var overlay : RENDERED.entrySet()) {
            for (JsonNode doc : overlay.getValue()) {
                String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                String where = overlay.getKey() + " " + type + " " + doc.path("metadata").path("name").asText();
                if (type.startsWith("keda.sh/v1alpha1/")) {
                    problems.addAll(SchemaCheck.keda(where, doc));
                    validated++;
                    continue;
                }
                Class<?> model = models.get(type);
                if (model == null) {
                    problems.add(where + ": no API model for this kind");
                    continue;
                }
                try {
                    Object resource = strict.treeToValue(doc, model);
                    problems.addAll(SchemaCheck.unknownFields(where, resource));
                    validated++;
                } catch (Exception e) {
                    problems.add(where + ": " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(validated).isGreaterThan(150);
    }

    @Test
    void theSchemaCheckCatchesATypoAndAWrongNesting() throws Exception {
        JsonNode typo = YAML.readTree("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replicas: 1
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          resouces: {limits: {cpu: "1"}}
                """);
        Object deployment = new ObjectMapper().treeToValue(typo, io.fabric8.kubernetes.api.model.apps.Deployment.class);
        assertThat(SchemaCheck.unknownFields("typo", deployment)).singleElement().asString()
                .contains("spec.template.spec.containers[0].resouces");
        JsonNode topic = YAML.readTree("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: t}
                spec: {partitions: 1, replicas: 1, min.insync.replicas: 2}
                """);
        Object kafkaTopic = new ObjectMapper().treeToValue(topic, io.strimzi.api.kafka.model.topic.KafkaTopic.class);
        assertThat(SchemaCheck.unknownFields("nesting", kafkaTopic)).singleElement().asString()
                .contains("spec.min.insync.replicas");
    }

    @Test
    void theDashboardsConfigMapCarriesTheDashboardsOfInfraGrafana() throws Exception {
        JsonNode data = named("local", "ConfigMap", "tuneloop-grafana-dashboards").path("data");
        try (var files = Files.list(MonitoringFiles.dashboards(ROOT))) {
            for (Path file : files.toList()) {
                assertThat(data.path(file.getFileName().toString()).asText())
                        .as(file.getFileName() + " (regenerate k8s/base/grafana-dashboards.yaml)")
                        .isEqualTo(Files.readString(file));
            }
        }
    }
}
