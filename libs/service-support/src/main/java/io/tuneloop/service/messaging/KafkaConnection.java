package io.tuneloop.service.messaging;

import org.apache.kafka.clients.CommonClientConfigs;

import java.util.HashMap;
import java.util.Map;

/** How a service reaches its brokers, for the plain Kafka clients it runs beside its SmallRye channels. */
public final class KafkaConnection {
    private KafkaConnection() {
    }

    /**
     * Connection and security settings only (bootstrap servers, TLS, SASL) of the service's
     * {@code kafka.*} configuration: serializers, transactions and tuning are each client's own.
     */
    public static Map<String, Object> settings(Map<String, Object> kafka) {
        Map<String, Object> connection = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) || key.startsWith("security.")
                    || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                connection.put(key, value);
            }
        });
        return connection;
    }
}
