#!/usr/bin/env bash
# ./run.sh         install what is missing, build bin/chas, start `chas dev` in the foreground
# ./run.sh build   only build bin/chas
# Extra arguments go to `chas dev` (e.g. ./run.sh --port 9090).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prereqs.sh

ensure_packages
build_chas
if [ "${1:-}" = "build" ]; then
  log "built bin/chas"
  exit 0
fi

ensure_dockerd
trap stop_dockerd EXIT
# An image that works without any registry, for the quick start's tour.
bin/chas image import --busybox --tag chas/busybox:latest >/dev/null
log "image chas/busybox:latest is ready; starting chas dev (Ctrl-C stops it)"
bin/chas dev "$@"
