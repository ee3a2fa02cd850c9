#!/usr/bin/env bash
# Decision throughput of policy-service over HTTP, with a baseline from the same server in the same run.
#
#   policy-service/bench/decisions.sh [-d 10s] [-w 5s] [-c 8] [-t 2] [-r rounds] [URL ...]
#
# For each round and each URL (default $PORTCULLIS_POLICY_URL, else http://127.0.0.1:8181), in turn:
#   baseline  GET  /q/health/live                  (no auth, no body: the HTTP server's own pace)
#   decision  POST /v1/data/portcullis/decision?provenance=true   (as session-proxy asks: its bearer token, a
#             typical pg SELECT input)
# with wrk's keep-alive connections (-c), threads (-t) and duration (-d), each after a warm-up (-w; a freshly
# started JVM needs a minute of load before its figures mean anything). Several URLs (an old and a new build,
# say) alternate round by round, so they share the machine's load. Prints req/s, p50 and p99 of both, the
# ratio decision/baseline and, when the server runs on this machine (found by its port), its CPU time per
# decision (all its threads, the Kafka sender's included) and the garbage collector's pauses during the decision
# run ("GC ms/n": total pause / collections, by the server JDK's jstat); the load average too, since the figures mean
# little without it. A benchmark, not a test: nothing here passes or fails.
#
# The token: client_credentials of client session-proxy at $PORTCULLIS_KEYCLOAK_URL (default
# http://127.0.0.1:8180), secret $PORTCULLIS_BENCH_CLIENT_SECRET (default: the DEV-ONLY secret of the
# local stack's realm, keycloak-realm/README.md). Needs wrk and curl.
set -euo pipefail

duration=10s; conns=8; threads=2; rounds=1; warmup=5s
while getopts d:c:t:r:w: o; do
  case $o in
    d) duration=$OPTARG ;; c) conns=$OPTARG ;; t) threads=$OPTARG ;; r) rounds=$OPTARG ;; w) warmup=$OPTARG ;;
    *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[[ $duration =~ ^[0-9]+s$ ]] || { echo "decisions.sh: -d takes whole seconds, like 10s" >&2; exit 2; }
urls=("$@")
[ ${#urls[@]} -gt 0 ] || urls=("${PORTCULLIS_POLICY_URL:-http://127.0.0.1:8181}")
command -v wrk >/dev/null || { echo "decisions.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }

keycloak=${PORTCULLIS_KEYCLOAK_URL:-http://127.0.0.1:8180}
secret=${PORTCULLIS_BENCH_CLIENT_SECRET:-session-proxy-dev-secret}
decision=/v1/data/portcullis/decision?provenance=true
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

token() {
  curl -sf -d grant_type=client_credentials -d client_id=session-proxy --data-urlencode "client_secret=$secret" \
    "$keycloak/realms/portcullis/protocol/openid-connect/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# The request (docs/architecture.md "Policy"): what session-proxy asks before forwarding a SELECT.
cat > "$work/input.json" <<'JSON'
{"input": {"identity": {"agent": "ci-runner", "groups": [], "scopes": ["conn:pg-prod:read"]},
 "connection": {"name": "pg-prod", "type": "postgres", "tags": {"env": "prod"}},
 "session": {"id": "s1", "client_address": "10.0.0.1", "started_at": "2026-11-22T03:00:00Z"},
 "request": {"protocol": "postgres", "kind": "query", "text": "SELECT id, email FROM customers WHERE id = $1",
             "statements": [{"type": "SELECT", "tables": ["customers"], "has_where": true, "read_only": true}]},
 "time": "2026-11-22T03:12:00Z"}}
JSON

# Prints "<req/s> <p50 ms> <p99 ms> <non-2xx+errors>" on the last line of wrk's output.
cat > "$work/report.lua" <<'LUA'
local non2xx = 0
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout + non2xx
  io.write(string.format("RESULT %.0f %.3f %.3f %d\n", summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
LUA
# response() makes wrk parse every response in Lua; use it for both requests so the baseline pays it too.
cat > "$work/decision.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. io.open("$work/token"):read("*l")
local f = io.open("$work/input.json"); wrk.body = f:read("*a"); f:close()
dofile("$work/report.lua")
LUA
cat > "$work/health.lua" <<LUA
dofile("$work/report.lua")
LUA

# The pid of the process listening on the URL's port, when it is on this machine; empty otherwise
server_pid() {
  local port
  port=$(sed -E 's#^[a-z]+://[^:/]+:?([0-9]*).*#\1#' <<<"$1"); port=${port:-80}
  ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

# CPU time (ms) of that process: CPU per decision is far less sensitive to the machine's other load than decisions/s
cpu_ms() {
  local pid
  pid=$(server_pid "$1")
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || { echo -1; return; }
  awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$pid/stat"
}

# "<collections> <pause ms>" of that JVM so far (its own JDK's jstat; young and full together), or "- -": p99 is
# mostly these pauses (policy-service/README.md, "Benchmark")
gc() {
  local pid jstat
  pid=$(server_pid "$1")
  jstat=$( [ -n "$pid" ] && dirname "$(readlink -f "/proc/$pid/exe" 2>/dev/null)")/jstat
  [ -n "$pid" ] && [ -x "$jstat" ] || { echo "- -"; return; }
  "$jstat" -gc "$pid" 2>/dev/null | awk 'NR == 2 { print $(NF-6) + $(NF-4), int(($(NF-5) + $(NF-3)) * 1000) }' \
    | grep . || echo "- -"
}

run() { # url path script duration -> RESULT fields
  wrk -t"$threads" -c"$conns" -d"$4" -s "$3" "$1$2" | sed -n 's/^RESULT //p'
}

echo "# $(date -u +%FT%TZ) wrk -t$threads -c$conns -d$duration, keep-alive; load: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
printf '%-28s %5s  %10s %8s %8s %7s %9s  %10s %8s %8s  %6s  %s\n' url round 'decision/s' 'p50 ms' 'p99 ms' 'CPU us' \
  'GC ms/n' 'health/s' 'p50 ms' 'p99 ms' ratio errors
for ((r = 1; r <= rounds; r++)); do
  for u in "${urls[@]}"; do
    token > "$work/token"
    [ -s "$work/token" ] || { echo "decisions.sh: no token from $keycloak for client session-proxy" >&2; exit 1; }
    # the decision must really be a decision (not a 401 or a 503) before it is timed
    code=$(curl -s -o "$work/answer" -w '%{http_code}' -H "Authorization: Bearer $(cat "$work/token")" \
      -H 'Content-Type: application/json' --data-binary @"$work/input.json" "$u$decision")
    [ "$code" = 200 ] && grep -q '"action"' "$work/answer" \
      || { echo "decisions.sh: $u answered $code: $(head -c 300 "$work/answer")" >&2; exit 1; }
    run "$u" /q/health/live "$work/health.lua" "$warmup" >/dev/null
    read -r hs hp50 hp99 herr < <(run "$u" /q/health/live "$work/health.lua" "$duration")
    run "$u" "$decision" "$work/decision.lua" "$warmup" >/dev/null
    c0=$(cpu_ms "$u"); read -r n0 g0 < <(gc "$u")
    read -r ds dp50 dp99 derr < <(run "$u" "$decision" "$work/decision.lua" "$duration")
    c1=$(cpu_ms "$u"); read -r n1 g1 < <(gc "$u")
    gcs=$( [ "$n0" = - ] || [ "$n1" = - ] && echo - || echo "$((g1 - g0))/$((n1 - n0))")
    cpu=$(awk -v c0="$c0" -v c1="$c1" -v n="$ds" -v d="${duration%s}" \
      'BEGIN { print (c0 < 0 || n == 0) ? "-" : int((c1 - c0) * 1000 / (n * d)) }')
    printf '%-28s %5s  %10s %8s %8s %7s %9s  %10s %8s %8s  %6.2f  %s\n' "$u" "$r" "$ds" "$dp50" "$dp99" "$cpu" "$gcs" \
      "$hs" "$hp50" "$hp99" "$(awk -v a="$ds" -v b="$hs" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$((derr + herr))"
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
