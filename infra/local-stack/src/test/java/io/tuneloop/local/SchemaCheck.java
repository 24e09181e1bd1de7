package io.tuneloop.local;

import com.fasterxml.jackson.databind.JsonNode;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds fields an API model did not recognise. fabric8's and Strimzi's models keep unknown fields
 * in {@code additionalProperties} instead of failing, so a strict read alone lets a typo through:
 * this walks the read model and reports every non-empty {@code additionalProperties} with its path.
 */
final class SchemaCheck {
    private static final Set<String> KEDA_SCALED_OBJECT_SPEC = Set.of("scaleTargetRef", "minReplicaCount",
            "maxReplicaCount", "cooldownPeriod", "pollingInterval", "idleReplicaCount", "triggers", "advanced", "fallback");
    private static final Set<String> KEDA_TRIGGER = Set.of("type", "metadata", "authenticationRef", "name", "metricType",
            "useCachedMetrics");
    private static final Set<String> KEDA_KAFKA_METADATA = Set.of("bootstrapServers", "consumerGroup", "topic",
            "lagThreshold", "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset",
            "excludePersistentLag", "limitToPartitionsWithLag", "partitionLimitation", "sasl", "tls");

    private SchemaCheck() {
    }

    static List<String> unknownFields(String where, Object model) {
        List<String> problems = new ArrayList<>();
        walk(where + ": ", "", model, problems, new IdentityHashMap<>());
        return problems;
    }

    private static void walk(String where, String path, Object value, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?> || value.getClass().isPrimitive() || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(where, path + "[" + i++ + "]", item, problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(where, path + "." + k, v, problems, seen));
            return;
        }
        String pkg = value.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8") && !pkg.startsWith("io.strimzi")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = getter.getName();
            boolean property = (name.startsWith("get") && name.length() > 3) || (name.startsWith("is") && name.length() > 2);
            if (!property) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (name.equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> problems.add(where + "unknown field " + join(path, String.valueOf(k))));
                }
                continue;
            }
            String field = Character.toLowerCase(name.charAt(name.startsWith("is") ? 2 : 3))
                    + name.substring(name.startsWith("is") ? 3 : 4);
            walk(where, join(path, field), child, problems, seen);
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** KEDA's ScaledObject and TriggerAuthentication, by shape (no Java model exists). */
    static List<String> keda(String where, JsonNode doc) {
        List<String> problems = new ArrayList<>();
        JsonNode spec = doc.path("spec");
        if (doc.path("kind").asText().equals("ScaledObject")) {
            spec.fieldNames().forEachRemaining(f -> {
                if (!KEDA_SCALED_OBJECT_SPEC.contains(f)) {
                    problems.add(where + ": unknown field spec." + f);
                }
            });
            if (!spec.path("scaleTargetRef").has("name")) {
                problems.add(where + ": spec.scaleTargetRef.name is required");
            }
            for (JsonNode trigger : spec.path("triggers")) {
                trigger.fieldNames().forEachRemaining(f -> {
                    if (!KEDA_TRIGGER.contains(f)) {
                        problems.add(where + ": unknown field spec.triggers[]." + f);
                    }
                });
                if (trigger.path("type").asText().equals("kafka")) {
                    trigger.path("metadata").fieldNames().forEachRemaining(f -> {
                        if (!KEDA_KAFKA_METADATA.contains(f)) {
                            problems.add(where + ": unknown kafka trigger metadata " + f);
                        }
                    });
                }
            }
        } else if (doc.path("kind").asText().equals("TriggerAuthentication")) {
            spec.fieldNames().forEachRemaining(f -> {
                if (!Set.of("secretTargetRef", "env", "hashiCorpVault", "podIdentity", "configMapTargetRef").contains(f)) {
                    problems.add(where + ": unknown field spec." + f);
                }
            });
            for (JsonNode ref : spec.path("secretTargetRef")) {
                for (String required : List.of("parameter", "name", "key")) {
                    if (!ref.has(required)) {
                        problems.add(where + ": secretTargetRef needs " + required);
                    }
                }
            }
        } else {
            problems.add(where + ": unknown KEDA kind");
        }
        return problems;
    }
}
