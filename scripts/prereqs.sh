# Shared by run.sh and test.sh: install what is missing, start what is not running, stop what we started.
# Sourced, not executed.

log() { printf '[chas] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the project needs: the Docker engine, a static busybox for offline test images,
# xterm.js (its CommonJS modules: Debian's browser build is a stub) for the dashboard's terminal; with "test", also promtool (checks /metrics) and Chromium
# (drives the dashboard in its tests) and PostgreSQL's server programs (the PostgreSQL store's tests).
ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  dpkg -s node-xterm >/dev/null 2>&1 || missing+=(node-xterm)
  if [ "${1:-}" = "test" ]; then
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    # The PostgreSQL store's tests start private servers (initdb, pg_ctl); no system-wide service is used.
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (apt-get)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    log "the .NET 10 SDK is required (dotnet on PATH); install it and run again"
    exit 1
  fi
}

docker_up() { docker version >/dev/null 2>&1; }

# Starts dockerd in the background when no engine answers; remembers that we did, so stop_dockerd
# stops only an engine this script started.
CHAS_STARTED_DOCKERD_PID=""
ensure_dockerd() {
  if docker_up; then return 0; fi
  log "starting dockerd (log: /tmp/chas-dockerd.log)"
  # Not through as_root: a backgrounded shell function is a subshell, and $! would be that subshell,
  # whose death leaves dockerd running. Started directly, $! is dockerd (or sudo, which passes signals on).
  if [ "$(id -u)" -eq 0 ]; then
    dockerd >/tmp/chas-dockerd.log 2>&1 &
  else
    sudo dockerd >/tmp/chas-dockerd.log 2>&1 &
  fi
  CHAS_STARTED_DOCKERD_PID=$!
  for _ in $(seq 1 120); do
    if docker_up; then return 0; fi
    if ! kill -0 "$CHAS_STARTED_DOCKERD_PID" 2>/dev/null; then break; fi
    sleep 0.5
  done
  log "dockerd did not come up; last lines of /tmp/chas-dockerd.log:"
  tail -n 20 /tmp/chas-dockerd.log >&2 || true
  exit 1
}

stop_dockerd() {
  if [ -n "$CHAS_STARTED_DOCKERD_PID" ] && kill -0 "$CHAS_STARTED_DOCKERD_PID" 2>/dev/null; then
    log "stopping the dockerd this script started"
    as_root kill "$CHAS_STARTED_DOCKERD_PID" 2>/dev/null || true
    # dockerd stops its containers first (up to their stop timeout): give it a minute.
    for _ in $(seq 1 120); do
      kill -0 "$CHAS_STARTED_DOCKERD_PID" 2>/dev/null || return 0
      sleep 0.5
    done
    log "dockerd (pid $CHAS_STARTED_DOCKERD_PID) is still stopping after 60 s"
  fi
}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# bin/chas: the one executable (framework-dependent; needs the .NET runtime that the SDK brings).
build_chas() {
  log "building bin/chas"
  dotnet publish src/Chas/Chas.csproj -c Release -o bin --nologo -v quiet -p:UseAppHost=true >/tmp/chas-build.log 2>&1 || {
    cat /tmp/chas-build.log >&2
    exit 1
  }
}
