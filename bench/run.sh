#!/usr/bin/env bash
# bench/run.sh NAME [ARGS...]   run one benchmark against a real engine and a real `chas dev`.
#   submit-to-running   50 tasks one after another, API call -> seen running, vs bare Docker create+start
# Extra arguments go to the benchmark (e.g. bench/run.sh submit-to-running --interleave --verbose).
# Exit status: 0 when the measurement ran, whether or not it met its target; non-zero on errors.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh

usage() {
  echo "usage: bench/run.sh submit-to-running [--samples N] [--warmup N] [--interleave] [--verbose]" >&2
}

case "${1:-}" in
  submit-to-running) project=bench/Chas.Bench.SubmitToRunning ;;
  -h|--help) usage; exit 0 ;;
  "") usage; exit 2 ;;
  *) log "unknown benchmark '$1'"; usage; exit 2 ;;
esac
shift

ensure_packages
if [ ! -x bin/chas ]; then ./run.sh build; fi
ensure_dockerd
trap stop_dockerd EXIT

log "building $project"
dotnet build "$project" -c Release --nologo -v quiet >/tmp/chas-bench-build.log 2>&1 || {
  cat /tmp/chas-bench-build.log >&2
  exit 1
}
dotnet run -c Release --no-build --project "$project" -- "$@"
