#!/usr/bin/env bash
# bench/ingress/ensure-tools.sh   install what the ingress benchmark needs from Debian's packages, when missing:
#   wrk     the load generator, the same for every target
#   nginx   the baseline reverse proxy (the benchmark runs its own nginx from a temporary config, never the service)
set -euo pipefail

log() { printf '[chas] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0

# Installing nginx starts the system's nginx service on port 80 unless a policy-rc.d forbids it (container images
# usually have one). The benchmark needs no service: when there is no policy, keep services from starting for the
# length of this installation only.
policy=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# temporary, from bench/ingress/ensure-tools.sh: no service starts while it installs packages\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod +x "$policy"
  added_policy=true
fi
remove_policy() { if [ "$added_policy" = true ]; then as_root rm -f "$policy"; fi; }
trap remove_policy EXIT

log "installing ${missing[*]} (apt-get)"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
