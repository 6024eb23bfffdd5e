#!/usr/bin/env bash
# bench/run.sh NAME [ARGS...]   run one benchmark against a real `chas` (and, for submit-to-running, a real engine).
#   submit-to-running   50 tasks one after another, API call -> seen running, vs bare Docker create+start
#   scheduler           hollow nodes (default 5000) and 50,000 instances: binds/s vs the raw store, server peak memory
#   node-loss           hollow nodes acting as agents (default 3): seconds from a node's death to all replacements running
#   ingress             wrk against one fast backend directly, through nginx, and through `chas ingress`: req/s, p99, ratio
# Extra arguments go to the benchmark (e.g. bench/run.sh submit-to-running --interleave --verbose).
# Exit status: 0 when the measurement ran, whether or not it met its target; non-zero on errors.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prereqs.sh

usage() {
  echo "usage: bench/run.sh submit-to-running [--samples N] [--warmup N] [--interleave] [--verbose]" >&2
  echo "       bench/run.sh scheduler [--nodes 5000] [--instances 50000] [--per-deployment 500] [--timeout S] [--verbose]" >&2
  echo "       bench/run.sh node-loss [--nodes 3] [--replicas 30] [--timeout S] [--verbose]" >&2
  echo "       bench/run.sh ingress [--rounds 3] [--duration S] [--threads N] [--connections N] [--verbose]" >&2
}

# The hollow-node benchmarks need no engine: they start `chas server` and fake the nodes themselves.
needs_docker=true
case "${1:-}" in
  submit-to-running) project=bench/Chas.Bench.SubmitToRunning ;;
  scheduler|node-loss) project=bench/Chas.Bench.Scheduler; needs_docker=false ;;
  ingress) project=bench/Chas.Bench.Ingress; needs_docker=false; bash bench/ingress/ensure-tools.sh ;;
  -h|--help) usage; exit 0 ;;
  "") usage; exit 2 ;;
  *) log "unknown benchmark '$1'"; usage; exit 2 ;;
esac
bench=$1
shift

if [ "$needs_docker" = true ]; then
  ensure_packages
  if [ ! -x bin/chas ]; then ./run.sh build; fi
  ensure_dockerd
  trap stop_dockerd EXIT
else
  command -v dotnet >/dev/null 2>&1 || { log "the .NET 10 SDK is required (dotnet on PATH); install it and run again"; exit 1; }
  if [ ! -x bin/chas ]; then ./run.sh build; fi
fi

log "building $project"
dotnet build "$project" -c Release --nologo -v quiet >/tmp/chas-bench-build.log 2>&1 || {
  cat /tmp/chas-bench-build.log >&2
  exit 1
}
if [ "$project" = bench/Chas.Bench.Scheduler ]; then
  # The benchmark's name is its mode.
  dotnet run -c Release --no-build --project "$project" -- "$bench" "$@"
else
  dotnet run -c Release --no-build --project "$project" -- "$@"
fi
