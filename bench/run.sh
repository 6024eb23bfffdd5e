#!/usr/bin/env bash
# bench/run.sh NAME [ARGS...]   run one benchmark against a real `chas` (and, for submit-to-running, a real engine).
#   submit-to-running   50 tasks one after another, API call -> seen running, vs bare Docker create+start
#   scheduler           hollow nodes (default 5000) and 50,000 instances: binds/s vs the raw store, server peak memory
#   node-loss           hollow nodes acting as agents (default 3): seconds from a node's death to all replacements running
#   ingress             wrk against one fast backend directly, through nginx, and through `chas ingress`: req/s, p99, ratio
#   faults              a private PostgreSQL and 3 `chas server --store`: kill -9 the leader during parallel creates (10 rounds),
#                       restart PostgreSQL under writes: writes lost, duplicates, seconds until scheduling / the API are back
#   store-latency       SQLite and PostgreSQL in one run: mutating API latency at 20 writes/s, listing 10,000 tasks; PG/SQLite
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
  echo "       bench/run.sh faults [--rounds 10] [--creates 1000] [--verbose]" >&2
  echo "       bench/run.sh store-latency [--duration 30] [--objects 10000] [--lists 5] [--verbose]" >&2
}

# The hollow-node benchmarks need no engine: they start `chas server` and fake the nodes themselves.
needs_docker=true
needs_postgres=false
case "${1:-}" in
  submit-to-running) project=bench/Chas.Bench.SubmitToRunning ;;
  scheduler|node-loss) project=bench/Chas.Bench.Scheduler; needs_docker=false ;;
  ingress) project=bench/Chas.Bench.Ingress; needs_docker=false; bash bench/ingress/ensure-tools.sh ;;
  faults|store-latency) project=bench/Chas.Bench.Faults; needs_docker=false; needs_postgres=true ;;
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

if [ "$needs_postgres" = true ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # Only the server programs: the benchmark runs private servers (initdb into a temporary directory), never a system one.
  log "installing postgresql (apt-get)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi

log "building $project"
dotnet build "$project" -c Release --nologo -v quiet >/tmp/chas-bench-build.log 2>&1 || {
  cat /tmp/chas-bench-build.log >&2
  exit 1
}
if [ "$project" = bench/Chas.Bench.Scheduler ] || [ "$project" = bench/Chas.Bench.Faults ]; then
  # The benchmark's name is its mode.
  dotnet run -c Release --no-build --project "$project" -- "$bench" "$@"
else
  dotnet run -c Release --no-build --project "$project" -- "$@"
fi
