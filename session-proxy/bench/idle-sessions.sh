#!/usr/bin/env bash
# Memory per idle session: opens N authenticated PostgreSQL sessions through the proxy (real psql clients that
# log in and then wait), and prints the proxy's RSS and live heap before and with them, per session. A benchmark,
# not a test. Needs psql and jcmd (a JDK), and the proxy's pid.
#
# Environment (required unless a default is shown):
#   PROXY_PID                       the session-proxy JVM
#   TOKEN                           an agent token for CONNECTION (the proxy's password)
#   PROXY_HOST=127.0.0.1 PROXY_PORT=15432 CONNECTION=pg-demo SESSIONS=150 HOLD_SECONDS=20
# The proxy must allow SESSIONS sessions of one agent: start it with PORTCULLIS_PG_MAX_SESSIONS_PER_AGENT above
# SESSIONS (the default is 20), and the target must allow them too (the demo PostgreSQL allows 200).
set -euo pipefail
: "${PROXY_PID:?}" "${TOKEN:?}" "${PROXY_HOST:=127.0.0.1}" "${PROXY_PORT:=15432}" "${CONNECTION:=pg-demo}"
: "${SESSIONS:=150}" "${HOLD_SECONDS:=20}"

jcmd_bin=$(command -v jcmd || true)
if [ -z "$jcmd_bin" ]; then
  jcmd_bin=$(readlink -f "/proc/$PROXY_PID/exe" | sed 's|/java$|/jcmd|')
fi

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$PROXY_PID/status"; }
live_kb() { # heap in use right after a full GC
  "$jcmd_bin" "$PROXY_PID" GC.run >/dev/null
  sleep 1
  # every generation's "used" (SerialGC: DefNew + Tenured; G1: the heap line), not Metaspace's
  "$jcmd_bin" "$PROXY_PID" GC.heap_info | grep -vE 'Metaspace|class space' | grep -oP '(total [0-9]+K, )?used \K[0-9]+(?=K)' \
    | awk '{s+=$1} END {print s+0}'
}
sessions() { # connections the proxy has open to clients on its port
  ss -Htn state established "( sport = :$PROXY_PORT )" | wc -l
}

work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

open_sessions() { # $1: tag
  for i in $(seq "$SESSIONS"); do
    rm -f "$work/in$i"
    mkfifo "$work/in$i"
    # psql logs in, runs one statement, then waits on its input: an authenticated, idle session
    PGPASSWORD=$TOKEN psql -q -X \
      "host=$PROXY_HOST port=$PROXY_PORT dbname=$CONNECTION user=agent sslmode=disable application_name=idle-$1-$i" \
      -c 'SELECT 1' -f "$work/in$i" >/dev/null 2>"$work/err$1-$i" &
    pids+=($!)
    exec {fd}<>"$work/in$i" # keeps the fifo open (read-write: never blocks): psql waits for input
  done
  for _ in $(seq 60); do
    [ "$(sessions)" -ge $((open0 + SESSIONS)) ] && break
    sleep 1
  done
}
close_sessions() {
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
  for _ in $(seq 30); do
    [ "$(sessions)" -le "$open0" ] && break
    sleep 1
  done
}

open0=$(sessions)
# a first round warms up what a JVM sizes on first use (heap regions, Netty's pooled buffers), so the second round's
# difference is what the sessions themselves hold
echo "warm-up: $SESSIONS sessions opened and closed"
open_sessions warm
close_sessions
sleep 2
rss0=$(rss_kb); live0=$(live_kb)
echo "before: RSS $((rss0 / 1024)) MB, live heap $((live0 / 1024)) MB, $open0 client connections"
open_sessions measured
open1=$(sessions)
sleep "$HOLD_SECONDS"
rss1=$(rss_kb); live1=$(live_kb)
n=$((open1 - open0))
echo "with $n idle sessions: RSS $((rss1 / 1024)) MB, live heap $((live1 / 1024)) MB"
if [ "$n" -gt 0 ]; then
  echo "per session: RSS $(((rss1 - rss0) / n)) KB, live heap $(((live1 - live0) / n)) KB"
fi
failed=$(cat "$work"/err* | grep -c . || true)
[ "$failed" -eq 0 ] || { echo "psql errors:"; cat "$work"/err* | sort | uniq -c | head; }
