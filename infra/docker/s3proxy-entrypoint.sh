#!/bin/sh
# Renders the local stack's S3Proxy config from the environment (S3_ACCESS_KEY, S3_SECRET_KEY) and runs it.
set -eu
: "${S3_ACCESS_KEY:?set S3_ACCESS_KEY}" "${S3_SECRET_KEY:?set S3_SECRET_KEY}"
conf=/tmp/s3proxy.conf
umask 077
sed -e "s#\${S3_PORT}#${S3_PORT}#g" -e "s#\${S3_DATA_DIR}#${S3_DATA_DIR}#g" \
    -e "s#\${S3_ACCESS_KEY}#${S3_ACCESS_KEY}#g" -e "s#\${S3_SECRET_KEY}#${S3_SECRET_KEY}#g" \
    /opt/s3proxy/s3proxy.conf.template > "$conf"
sed -i "s#^s3proxy.endpoint=http://127.0.0.1:#s3proxy.endpoint=http://${S3_BIND:-0.0.0.0}:#" "$conf"
exec java -Xmx512m -Djava.awt.headless=true -jar /opt/s3proxy/s3proxy.jar --properties "$conf"
