package io.tuneloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The PromQL of the Grafana dashboards (infra/grafana/dashboards) and alert rules (infra/prometheus/rules). */
final class MonitoringFiles {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern RULE_EXPR = Pattern.compile("^\\s*expr:\\s*(.+)$", Pattern.MULTILINE);
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");

    private MonitoringFiles() {
    }

    static Path dashboards(Path root) {
        return root.resolve("infra/grafana/dashboards");
    }

    static Path prometheus(Path root) {
        return root.resolve("infra/prometheus");
    }

    /** Every query of every panel of every dashboard, and every alert rule expression. */
    static List<String> expressions(Path root) {
        List<String> expressions = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(dashboards(root))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                for (JsonNode panel : json.readTree(file.toFile()).path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        expressions.add(target.path("expr").asText());
                    }
                }
            }
            try (Stream<Path> rules = Files.list(prometheus(root).resolve("rules"))) {
                for (Path file : rules.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                    Matcher m = RULE_EXPR.matcher(Files.readString(file));
                    while (m.find()) {
                        expressions.add(m.group(1).trim());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return expressions;
    }

    /** The metric names a PromQL expression reads (functions, keywords, labels and ranges left out). */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String token = m.group();
            int next = m.end();
            while (next < bare.length() && Character.isWhitespace(bare.charAt(next))) {
                next++;
            }
            boolean function = next < bare.length() && bare.charAt(next) == '(';
            if (!function && !KEYWORDS.contains(token.toLowerCase())) {
                names.add(token);
            }
        }
        return names;
    }

    static Set<String> metricNames(Path root) {
        Set<String> names = new TreeSet<>();
        expressions(root).forEach(e -> names.addAll(metricNames(e)));
        return names;
    }
}
