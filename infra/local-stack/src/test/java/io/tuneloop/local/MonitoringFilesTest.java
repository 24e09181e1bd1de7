package io.tuneloop.local;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitoring files are valid: promtool accepts the config and rules; the dashboards name real-looking metrics. */
class MonitoringFilesTest {
    private static final Path ROOT = Path.of(System.getProperty("tuneloop.repo.root", "../..")).toAbsolutePath().normalize();

    @Test
    void metricNamesAreReadFromPromQl() {
        assertThat(MonitoringFiles.metricNames(
                "sum by (outcome) (rate(tuneloop_ingest_records_total{service=~\"$s\"}[5m])) / on(x) up"))
                .containsExactly("tuneloop_ingest_records_total", "up");
        assertThat(MonitoringFiles.metricNames("sum(tuneloop_trainer_runs{state=\"RUNNING\"}) > 0 and"
                + " sum(rate(tuneloop_trainer_tokens_total[15m])) == 0"))
                .containsExactly("tuneloop_trainer_runs", "tuneloop_trainer_tokens_total");
    }

    @Test
    void everyDashboardAndRuleReadsOnlyConventionallyNamedMetrics() {
        assertThat(MonitoringFiles.expressions(ROOT)).hasSizeGreaterThan(20);
        assertThat(MonitoringFiles.metricNames(ROOT)).isNotEmpty().allSatisfy(name ->
                assertThat(name).matches("(tuneloop|kafka|jvm|http_server|process|system)_[a-z0-9_]+|up"));
    }

    @Test
    void promtoolAcceptsTheConfigAndTheRules() throws Exception {
        boolean required = "1".equals(System.getenv("TUNELOOP_REQUIRE_PROMETHEUS"));
        Path promtool = Path.of("/usr/bin/promtool");
        if (!required) {
            Assumptions.assumeTrue(Files.isExecutable(promtool), "no promtool (Debian package prometheus)");
        }
        Path dir = MonitoringFiles.prometheus(ROOT);
        assertThat(run(dir, promtool.toString(), "check", "config", "prometheus.yml")).contains("SUCCESS");
        assertThat(run(dir, promtool.toString(), "check", "config", "compose.yml")).contains("SUCCESS");
        assertThat(run(dir, promtool.toString(), "check", "rules", "rules/tuneloop.yml")).contains("SUCCESS: 8 rules found");
    }

    @Test
    void theComposeConfigOfPrometheusIsTheLocalOneWithComposeTargets() throws Exception {
        Path dir = MonitoringFiles.prometheus(ROOT);
        String local = Files.readString(dir.resolve("prometheus.yml"));
        String compose = Files.readString(dir.resolve("compose.yml"));
        String body = local.substring(local.indexOf("global:"));
        for (String service : new String[]{"ingest", "formatter", "trainer", "eval", "feedback"}) {
            int port = 8081 + java.util.List.of("ingest", "formatter", "trainer", "eval", "feedback").indexOf(service);
            body = body.replace("127.0.0.1:" + port, service + ":8080");
        }
        assertThat(compose.substring(compose.indexOf("global:"))).isEqualTo(body);
    }

    @Test
    void dockerComposeAcceptsTheComposeFile() throws Exception {
        Path compose = Path.of("/usr/bin/docker-compose");
        if (!"1".equals(System.getenv("TUNELOOP_REQUIRE_COMPOSE"))) {
            Assumptions.assumeTrue(Files.isExecutable(compose), "no docker-compose (Debian package docker-compose)");
        }
        ProcessBuilder check = new ProcessBuilder(compose.toString(), "-f", "docker-compose.yml", "config", "--services")
                .directory(ROOT.resolve("infra").toFile()).redirectErrorStream(true);
        check.environment().put("TUNELOOP_STORE_ACCESS_KEY", "check");
        check.environment().put("TUNELOOP_STORE_SECRET_KEY", "check");
        Process process = check.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output.lines().toList()).containsExactlyInAnyOrder("kafka", "s3", "bootstrap", "ingest", "formatter",
                "trainer", "eval", "feedback", "prometheus", "grafana");
    }

    private static String run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
