#!/usr/bin/env bash
# Builds every tuneloop image with no registry at hand: a Debian bookworm + OpenJDK 17 base made
# with debootstrap (Debian's mirror is the only network it needs) and imported into Docker, then the
# services, the bootstrap job, Kafka and S3Proxy on top of it. Run from anywhere, after
# ./mvnw -B -DskipTests install and ./tuneloop local build (the broker and S3Proxy jars).
# Needs root (debootstrap) and a running Docker engine. With a registry, use the Dockerfiles'
# default BASE_IMAGE instead.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
BASE="${TUNELOOP_BASE_IMAGE:-tuneloop/jre-base:bookworm}"
TAG="${TUNELOOP_IMAGE_TAG:-0.1.0}"
WORK="${TUNELOOP_IMAGE_WORK:-$ROOT/.tuneloop/images}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  echo "==> building $BASE with debootstrap (a few minutes)"
  rm -rf "$WORK/rootfs" && mkdir -p "$WORK"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$WORK/rootfs" "$MIRROR" \
    > "$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; exit 1; }
  rm -rf "$WORK/rootfs/var/cache/apt/archives"/*.deb "$WORK/rootfs/var/lib/apt/lists"/*
  tar -C "$WORK/rootfs" -c . | docker import --change 'ENV LANG=C.UTF-8' - "$BASE" >/dev/null
  rm -rf "$WORK/rootfs"
fi

cd "$ROOT"
build() { echo "==> $2"; docker build -q -f "$1" --build-arg BASE_IMAGE="$BASE" "${@:3}" -t "$2" . >/dev/null; }
for s in ingest formatter trainer eval feedback; do
  build infra/docker/Dockerfile.service "tuneloop/$s-service:$TAG" --build-arg SERVICE="$s"
done
build infra/docker/Dockerfile.bootstrap "tuneloop/bootstrap:$TAG"
build infra/docker/Dockerfile.kafka "tuneloop/kafka:$TAG"
build infra/docker/Dockerfile.s3proxy "tuneloop/s3proxy:$TAG"
docker image ls 'tuneloop/*'
