#!/usr/bin/env bash
# pgbench select-only through (a) PostgreSQL directly, (b) PgBouncer if it can be run, (c) the
# Portcullis proxy (policy, masking and recording on), alternating, and the ratios. A benchmark,
# not a test. Needs pgbench and psql.
#
# Environment (all required unless a default is shown):
#   DIRECT_HOST=127.0.0.1 DIRECT_PORT   PostgreSQL of the target connection
#   DIRECT_USER DIRECT_PASSWORD DIRECT_DB the connection's backend role and database
#   PROXY_HOST=127.0.0.1 PROXY_PORT=15432 CONNECTION=pg-demo
#   TOKEN                                 an agent token for CONNECTION (password for the proxy)
#   CLIENTS=4 THREADS=2 SECONDS_PER_RUN=15 ROUNDS=2 SCALE=1
#   PGBOUNCER_PORT=16432                  where the script runs PgBouncer (as user postgres)
#   PROXY2_PORT PROXY2_TOKEN              optional: a second proxy measured in the same run (e.g. the same build
#                                         with other settings, or an older build), reported as "proxy2"
#   PROXY3_PORT PROXY3_TOKEN              optional: a third one, "proxy3"
#   BOUNCER=yes                           no: skip PgBouncer
#   WORKLOAD=select-only                  pgbench's built-in script: select-only (-S) or tpcb-like (reads and
#                                         writes: the proxy needs a token with write access)
#   CPU=yes                               per run, the CPU time (user + system, /proc) per transaction of each local
#                                         process group: PostgreSQL (every postgres process, the recorder's
#                                         backends included), PgBouncer, the proxy, Kafka, the recorder, and
#                                         pgbench itself, and "rest" (the machine's total minus those: whatever
#                                         else ran, e.g. another build; near 0 on a quiet machine).
#                                         PIDs from $STATE/run/<name>.pid of `bin/portcullis up` (STATE defaults to
#                                         the checkout's .portcullis) or PROXY_PID KAFKA_PID RECORDER_PID.
set -euo pipefail

: "${DIRECT_HOST:=127.0.0.1}" "${PROXY_HOST:=127.0.0.1}" "${PROXY_PORT:=15432}" "${CONNECTION:=pg-demo}"
: "${WORKLOAD:=select-only}" "${CLIENTS:=4}" "${THREADS:=2}" "${SECONDS_PER_RUN:=15}" "${ROUNDS:=2}" "${SCALE:=1}" "${PGBOUNCER_PORT:=16432}"
: "${DIRECT_PORT:?}" "${DIRECT_USER:?}" "${DIRECT_PASSWORD:?}" "${DIRECT_DB:?}" "${TOKEN:?}"

work=$(mktemp -d)
trap 'kill "$(cat "$work/pgbouncer.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "initialising pgbench tables (scale $SCALE) directly"
PGPASSWORD=$DIRECT_PASSWORD pgbench -i -q -s "$SCALE" -h "$DIRECT_HOST" -p "$DIRECT_PORT" -U "$DIRECT_USER" "$DIRECT_DB" >/dev/null

bouncer=""
if [ "${BOUNCER:-yes}" = no ]; then :
elif ! command -v pgbouncer >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq pgbouncer >/dev/null 2>&1 || true
  fi
fi
if [ "${BOUNCER:-yes}" = no ]; then
  echo "PgBouncer skipped (BOUNCER=no)"
elif command -v pgbouncer >/dev/null && id postgres >/dev/null 2>&1; then
  chmod 755 "$work"
  cat >"$work/pgbouncer.ini" <<INI
[databases]
$DIRECT_DB = host=$DIRECT_HOST port=$DIRECT_PORT dbname=$DIRECT_DB
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
auth_type = plain
auth_file = $work/users.txt
# session pooling: one server connection per client, as the proxy does; it also keeps
# pgbench -M prepared working on PgBouncer < 1.21 (Debian 12 has 1.18), which cannot track
# named prepared statements across transaction-pooled server connections
pool_mode = session
max_client_conn = 100
default_pool_size = 20
pidfile = $work/pgbouncer.pid
logfile = $work/pgbouncer.log
INI
  printf '"%s" "%s"\n' "$DIRECT_USER" "$DIRECT_PASSWORD" >"$work/users.txt"
  chown -R postgres "$work" 2>/dev/null || true
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "pgbouncer -d $work/pgbouncer.ini"; else pgbouncer -d "$work/pgbouncer.ini"; fi
  sleep 1
  bouncer=yes
else
  echo "PgBouncer not available (install the Debian package pgbouncer and run as root, or put it on PATH): skipped"
fi

: "${CPU:=yes}" "${STATE:=$(cd "$(dirname "$0")/../.." && pwd)/.portcullis}"
pidof_() { # pidof_ NAME VAR: the pid in $VAR, else the stack's pid file
  local v=${!2:-}
  [ -n "$v" ] || v=$(cat "$STATE/run/$1.pid" 2>/dev/null || true)
  echo "$v"
}
proxy_pid=$(pidof_ session-proxy PROXY_PID); kafka_pid=$(pidof_ kafka KAFKA_PID); recorder_pid=$(pidof_ recorder-service RECORDER_PID)
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat" 2>/dev/null || echo 0; } # own + reaped children's
cpu_snapshot() { # prints "group ticks" lines; postgres: every postgres process (a backend's time moves to the
  # postmaster's children's time when it exits, so the sum stays whole)
  local pg=0 p
  for p in $(pgrep -x postgres); do pg=$((pg + $(ticks "$p"))); done
  echo "postgres $pg"
  echo "pgbouncer $( [ -s "$work/pgbouncer.pid" ] && ticks "$(cat "$work/pgbouncer.pid")" || echo 0)"
  echo "proxy $( [ -n "$proxy_pid" ] && ticks "$proxy_pid" || echo 0)"
  echo "kafka $( [ -n "$kafka_pid" ] && ticks "$kafka_pid" || echo 0)"
  echo "recorder $( [ -n "$recorder_pid" ] && ticks "$recorder_pid" || echo 0)"
  echo "machine $(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat)"
}
hz=$(getconf CLK_TCK)
declare -A cpu

run() { # name host port user password db mode → prints "tps latency_ms"
  local out before after tx
  [ "$CPU" != yes ] || before=$(cpu_snapshot)
  out=$( { TIMEFORMAT='pgbench-cpu %U %S'; time PGPASSWORD=$5 pgbench -n -b "$WORKLOAD" -M "$7" -c "$CLIENTS" -j "$THREADS" \
    -T "$SECONDS_PER_RUN" -h "$2" -p "$3" -U "$4" "$6"; } 2>&1) || { echo "$1 failed: $out" >&2; echo "0 0"; return; }
  if [ "$CPU" = yes ]; then
    after=$(cpu_snapshot)
    tx=$(grep -oP 'number of transactions actually processed: \K[0-9]+' <<<"$out")
    # µs of CPU per transaction by group; "rest" is the machine's total minus the groups (whatever else ran)
    { join <(sort <<<"$before") <(sort <<<"$after")
      grep -oP '^pgbench-cpu \K.*' <<<"$out" | awk -v hz="$hz" '{print "pgbench 0", ($1 + $2) * hz}'; } |
      awk -v hz="$hz" -v tx="$tx" -v name="$1.$7" '
      { d[$1] = ($3 - $2) * 1e6 / hz / tx }
      END { rest = d["machine"]; for (k in d) if (k != "machine") rest -= d[k]
            printf "%s pgbench=%.0f postgres=%.0f pgbouncer=%.0f proxy=%.0f kafka=%.0f recorder=%.0f rest=%.0f total=%.0f\n",
              name, d["pgbench"], d["postgres"], d["pgbouncer"], d["proxy"], d["kafka"], d["recorder"], rest, d["machine"] }' >>"$work/cpu"
  fi
  echo "$(grep -oP 'tps = \K[0-9.]+' <<<"$out" | head -1) $(grep -oP 'latency average = \K[0-9.]+' <<<"$out")"
}

declare -A tps lat
for mode in simple prepared; do
  for round in $(seq "$ROUNDS"); do
    for target in direct ${bouncer:+pgbouncer} proxy ${PROXY2_PORT:+proxy2} ${PROXY3_PORT:+proxy3}; do
      case $target in
        direct) r=$(run direct "$DIRECT_HOST" "$DIRECT_PORT" "$DIRECT_USER" "$DIRECT_PASSWORD" "$DIRECT_DB" $mode) ;;
        pgbouncer) r=$(run pgbouncer 127.0.0.1 "$PGBOUNCER_PORT" "$DIRECT_USER" "$DIRECT_PASSWORD" "$DIRECT_DB" $mode) ;;
        proxy) r=$(run proxy "$PROXY_HOST" "$PROXY_PORT" agent "$TOKEN" "$CONNECTION" $mode) ;;
        proxy2) r=$(run proxy2 "$PROXY_HOST" "$PROXY2_PORT" agent "${PROXY2_TOKEN:-$TOKEN}" "$CONNECTION" $mode) ;;
        proxy3) r=$(run proxy3 "$PROXY_HOST" "$PROXY3_PORT" agent "${PROXY3_TOKEN:-$TOKEN}" "$CONNECTION" $mode) ;;
      esac
      read -r t l <<<"$r"
      echo "$mode round $round $target: $t TPS, $l ms"
      tps[$mode.$target]="${tps[$mode.$target]:-} $t"
      lat[$mode.$target]="${lat[$mode.$target]:-} $l"
    done
  done
done

avg() { awk -v f="${2:-%.1f}" '{s=0; for(i=1;i<=NF;i++) s+=$i; printf f, s/NF}' <<<"$1"; }
echo
printf '%-9s %-10s %10s %12s\n' mode target TPS latency_ms
for mode in simple prepared; do
  for target in direct ${bouncer:+pgbouncer} proxy ${PROXY2_PORT:+proxy2} ${PROXY3_PORT:+proxy3}; do
    printf '%-9s %-10s %10s %12s\n' $mode $target "$(avg "${tps[$mode.$target]}")" "$(avg "${lat[$mode.$target]}" %.3f)"
  done
  d=$(avg "${tps[$mode.direct]}"); p=$(avg "${tps[$mode.proxy]}")
  echo "$mode: proxy/direct = $(awk -v p="$p" -v d="$d" 'BEGIN{printf "%.2f", p/d}')"
  if [ -n "${PROXY2_PORT:-}" ]; then
    q=$(avg "${tps[$mode.proxy2]}")
    echo "$mode: proxy2/direct = $(awk -v p="$q" -v d="$d" 'BEGIN{printf "%.2f", p/d}'), proxy/proxy2 = $(awk -v p="$p" -v q="$q" 'BEGIN{printf "%.2f", p/q}')"
  fi
  if [ -n "${PROXY3_PORT:-}" ]; then
    q=$(avg "${tps[$mode.proxy3]}")
    echo "$mode: proxy3/direct = $(awk -v p="$q" -v d="$d" 'BEGIN{printf "%.2f", p/d}'), proxy/proxy3 = $(awk -v p="$p" -v q="$q" 'BEGIN{printf "%.2f", p/q}')"
  fi
  if [ -n "$bouncer" ]; then
    b=$(avg "${tps[$mode.pgbouncer]}")
    echo "$mode: proxy/pgbouncer = $(awk -v p="$p" -v b="$b" 'BEGIN{printf "%.2f", p/b}')"
  fi
done

if [ "$CPU" = yes ] && [ -s "$work/cpu" ]; then
  echo
  echo "CPU µs per transaction (user + system, averaged over rounds; total = the whole machine's busy time):"
  printf '%-9s %-10s %8s %9s %10s %7s %7s %9s %7s %7s\n' mode target pgbench postgres pgbouncer proxy kafka recorder rest total
  awk '{ split($1, k, "."); key = k[2] " " k[1]; n[key]++
         for (i = 2; i <= NF; i++) { split($i, kv, "="); s[key, kv[1]] += kv[2] } }
       END { for (key in n) { split(key, m, " ")
               printf "%-9s %-10s %8.0f %9.0f %10.0f %7.0f %7.0f %9.0f %7.0f %7.0f\n", m[1], m[2],
                 s[key, "pgbench"] / n[key], s[key, "postgres"] / n[key], s[key, "pgbouncer"] / n[key], s[key, "proxy"] / n[key],
                 s[key, "kafka"] / n[key], s[key, "recorder"] / n[key], s[key, "rest"] / n[key], s[key, "total"] / n[key] } }' \
    "$work/cpu" | sort -k1,1r -k2,2
fi
