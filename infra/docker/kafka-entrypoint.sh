#!/bin/sh
# Renders the local stack's broker config from the environment, formats storage once, runs the broker.
set -eu
props=/tmp/server.properties
sed -e "s#\${KAFKA_PORT}#${KAFKA_PORT}#g" -e "s#\${KAFKA_CONTROLLER_PORT}#${KAFKA_CONTROLLER_PORT}#g" \
    -e "s#\${KAFKA_DATA_DIR}#${KAFKA_DATA_DIR}#g" /opt/kafka/config/server.properties.template > "$props"
if [ -n "${KAFKA_ADVERTISED_HOST:-}" ]; then
  sed -i "s#^advertised.listeners=.*#advertised.listeners=PLAINTEXT://${KAFKA_ADVERTISED_HOST}:${KAFKA_PORT}#" "$props"
fi
cp="/opt/kafka/libs/*"
tools="-Dlog4j2.configurationFile=/opt/kafka/config/log4j2-tools.xml"
if [ ! -f "$KAFKA_DATA_DIR/meta.properties" ]; then
  id="$(java $tools -cp "$cp" kafka.tools.StorageTool random-uuid)"
  java $tools -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$props"
fi
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g} -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.xml \
  -Dkafka.logs.dir=/tmp -cp "$cp" kafka.Kafka "$props"
