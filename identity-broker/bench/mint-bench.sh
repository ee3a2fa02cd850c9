#!/usr/bin/env bash
# Token minting, side by side in one run: Keycloak's token exchange called directly (the baseline: the
# exchange identity-broker itself sends) and POST /v1/tokens on one or more brokers, alternating, with
# tokens/s, p50/p90/p99 and each broker's ratio to the baseline. A benchmark, not a test. Needs wrk,
# curl, python3 and a stack from `bin/portcullis up -d` (Keycloak, PostgreSQL, Kafka, the broker).
#
#   identity-broker/bench/mint-bench.sh [NAME=QUARKUS_APP_DIR ...]
#
# Without arguments it measures the stack's own broker. Each NAME=DIR (e.g. old=/tmp/brk-old
# new=identity-broker/target/quarkus-app) is started on its own port (PORT_BASE, PORT_BASE+1, ...)
# with the stack broker's environment and JVM flags, against the same Keycloak, PostgreSQL and
# Kafka, and stopped at the end. Copy a build's quarkus-app elsewhere first if `bin/portcullis up`
# runs from it.
#
# Environment: AGENTS=8 CONNS=16 THREADS=2 SECONDS_PER_RUN=20 WARMUP=20 ROUNDS=3 PORT_BASE=18091
#              CONNECTION=pg-demo ACCESS=read ROOT=<this checkout>
# Creates AGENTS agents (bench-<random>-<i>) with a standing grant through the broker API and deletes
# them at the end. Reads DEV-ONLY credentials of the local stack; never prints a token or secret.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${ROOT:=$(cd "$here/../.." && pwd)}"
: "${AGENTS:=8}" "${CONNS:=16}" "${THREADS:=2}" "${SECONDS_PER_RUN:=20}" "${WARMUP:=20}" "${ROUNDS:=3}"
: "${PORT_BASE:=18091}"
: "${CONNECTION:=pg-demo}" "${ACCESS:=read}"
state="$ROOT/.portcullis"
for tool in wrk curl python3; do command -v "$tool" >/dev/null || { echo "mint-bench: needs $tool" >&2; exit 1; }; done
stack_pid=$(cat "$state/run/identity-broker.pid" 2>/dev/null) || true
[ -n "$stack_pid" ] && [ -r "/proc/$stack_pid/environ" ] || { echo "mint-bench: no broker of 'bin/portcullis up' under $ROOT" >&2; exit 1; }
eval "$("$ROOT/bin/portcullis" env 2>/dev/null)"

work=$(mktemp -d)
chmod 700 "$work"
pids=()
agents=()
admin=""
cleanup() {
  for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done
  # a fresh admin token: the first one (5 minutes) has expired after a long run
  [ ${#agents[@]} -eq 0 ] || admin=$(admin_token) || true
  for a in ${agents[@]+"${agents[@]}"}; do
    curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $admin" "$PORTCULLIS_BROKER_URL/v1/agents/$a" || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
kc_token=$PORTCULLIS_KEYCLOAK_URL/realms/$PORTCULLIS_REALM/protocol/openid-connect/token
token() { curl -sf "$kc_token" "$@" | json access_token; }
admin_token() { token --data-urlencode grant_type=password --data-urlencode client_id="$PORTCULLIS_CLI_CLIENT" \
  --data-urlencode username="$PORTCULLIS_ADMIN_USER" --data-urlencode password="$PORTCULLIS_ADMIN_PASSWORD"; }

# The stack broker's environment: its database, Kafka, Keycloak and the broker's client secret.
tr '\0' '\n' <"/proc/$stack_pid/environ" | grep -E '^(PORTCULLIS_|QUARKUS_|KAFKA_|JAVA_HOME=)' >"$work/broker.env"
grep '^PORTCULLIS_BROKER_CLIENT_SECRET=' "$work/broker.env" | cut -d= -f2- >"$work/client-secret"
read -r -a jvm_flags < <(tr '\0' ' ' <"/proc/$stack_pid/cmdline" | sed -E 's/^[^ ]+ //; s/ -jar .*//'; echo) || true
java_bin=$(readlink "/proc/$stack_pid/exe")

names=(); urls=()
port=$PORT_BASE
for spec in "$@"; do
  name=${spec%%=*} dir=${spec#*=}
  [ -f "$dir/quarkus-run.jar" ] || { echo "mint-bench: no $dir/quarkus-run.jar" >&2; exit 1; }
  (
    set -a; . "$work/broker.env"; set +a
    export QUARKUS_HTTP_PORT=$port
    exec "$java_bin" "${jvm_flags[@]}" -jar "$dir/quarkus-run.jar"
  ) >"$work/$name.log" 2>&1 &
  pids+=("$!"); names+=("$name"); urls+=("http://127.0.0.1:$port")
  port=$((port + 1))
done
if [ ${#names[@]} -eq 0 ]; then names=(broker); urls=("$PORTCULLIS_BROKER_URL"); fi
for i in "${!names[@]}"; do
  for _ in $(seq 120); do
    curl -sf -o /dev/null "${urls[$i]}/q/health/ready" && break
    sleep 1
  done
  curl -sf -o /dev/null "${urls[$i]}/q/health/ready" || { echo "mint-bench: ${names[$i]} not ready; log:" >&2; tail -20 "$work/${names[$i]}.log" >&2; exit 1; }
done

admin=$(admin_token)
run_id=$(python3 -c 'import secrets; print(secrets.token_hex(3))')
for i in $(seq "$AGENTS"); do
  a="bench-$run_id-$i"
  secret=$(curl -sf -X POST "$PORTCULLIS_BROKER_URL/v1/agents" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$a\",\"team\":\"bench\"}" | json clientSecret)
  agents+=("$a")
  printf '%s' "$secret" >"$work/secret-$a"
  curl -sf -o /dev/null -X POST "$PORTCULLIS_BROKER_URL/v1/agents/$a/grants" -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' -d "{\"connection\":\"$CONNECTION\",\"access\":\"$ACCESS\"}"
done
# Fresh agent tokens before every run: they live 5 minutes.
agent_tokens() {
  : >"$work/tokens"
  for a in "${agents[@]}"; do
    token --data-urlencode grant_type=client_credentials --data-urlencode client_id="$a" \
      --data-urlencode client_secret@"$work/secret-$a" >>"$work/tokens"
  done
}

# run NAME SECONDS -> one RESULT line in $work/result
run() {
  local name=$1 secs=$2 url mode=broker
  if [ "$name" = keycloak ]; then url=$kc_token mode=keycloak; else
    for i in "${!names[@]}"; do [ "${names[$i]}" = "$name" ] && url=${urls[$i]}/v1/tokens; done
  fi
  agent_tokens
  wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout 10s -s "$here/mint.lua" "$url" -- \
    "$mode" "$work/tokens" "$CONNECTION" "$ACCESS" "$work/client-secret" | grep '^RESULT' >"$work/result"
}

echo "mint-bench: agents=$AGENTS connections=$CONNS threads=$THREADS ${SECONDS_PER_RUN}s x $ROUNDS rounds; cpus=$(nproc); $(uptime | sed 's/.*load/load/')"
phases=(keycloak "${names[@]}")
for p in "${phases[@]}"; do run "$p" "$WARMUP"; done # warm-up: JIT, pools, Keycloak caches
: >"$work/all"
for r in $(seq "$ROUNDS"); do
  # rotate the order each round, so no phase always runs first
  for k in "${!phases[@]}"; do
    p=${phases[$(((k + r - 1) % ${#phases[@]}))]}
    run "$p" "$SECONDS_PER_RUN"
    echo "round=$r phase=$p $(cut -d' ' -f2- "$work/result")" | tee -a "$work/all"
  done
done
echo "after: $(uptime | sed 's/.*load/load/')"
python3 - "$work/all" "${phases[@]}" <<'PY'
import re, sys
rows = [dict(kv.split("=") for kv in line.split()) for line in open(sys.argv[1])]
def ok_rate(r): return (int(r["requests"]) - int(r["non2xx"]) - int(r["socket_errors"])) / (int(r["duration_us"]) / 1e6)
print("\n| run | tokens/s (per round) | p50 ms | p90 ms | p99 ms | non-2xx | / Keycloak (per round) |")
print("|---|---|---|---|---|---|---|")
base = {r["round"]: ok_rate(r) for r in rows if r["phase"] == "keycloak"}
for p in sys.argv[2:]:
    mine = [r for r in rows if r["phase"] == p]
    rates = [ok_rate(r) for r in mine]
    ratios = [ok_rate(r) / base[r["round"]] for r in mine]
    ms = lambda k: "–".join(sorted({f'{int(r[k]) / 1000:.0f}' for r in mine}, key=float))
    name = "Keycloak token exchange, direct" if p == "keycloak" else f"{p}: POST /v1/tokens"
    print(f"| {name} | {' / '.join(f'{x:.0f}' for x in rates)} | {ms('p50_us')} | {ms('p90_us')} | {ms('p99_us')} | "
          f"{sum(int(r['non2xx']) + int(r['socket_errors']) for r in mine)} | "
          f"{'1' if p == 'keycloak' else ' / '.join(f'{x:.2f}' for x in ratios)} |")
PY
