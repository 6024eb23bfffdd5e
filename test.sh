#!/usr/bin/env bash
# ./test.sh   install what is missing, build, run every test project, print one totals line.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prereqs.sh

ensure_packages test
ensure_dockerd
trap stop_dockerd EXIT

build_chas
log "building the solution"
if ! dotnet build chas.slnx -c Release --nologo -v quiet >/tmp/chas-test-build.log 2>&1; then
  cat /tmp/chas-test-build.log
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"
passed=0
failed=0
for project in tests/*/*.csproj; do
  # Libraries that test projects share (the store contract suite) run inside those projects, not alone.
  grep -q '<IsTestProject>false</IsTestProject>' "$project" && continue
  name=$(basename "$project" .csproj)
  log "testing $name"
  timeout 900 dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" >"$results/$name.log" 2>&1
  rc=$?
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); log "$name: test run failed (exit $rc)"; fi
  else
    failed=$((failed + 1))
    log "$name: no results (exit $rc)"
  fi
  if [ "$rc" -ne 0 ]; then
    grep -E "^\s+(Failed|Error Message|\s+at )" "$results/$name.log" | head -n 60 || tail -n 40 "$results/$name.log"
  fi
  log "$name: exit $rc"
done

# Stopped here rather than only by the EXIT trap, so that the totals are the run's last line.
stop_dockerd
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
