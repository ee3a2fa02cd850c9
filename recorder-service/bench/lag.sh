#!/usr/bin/env bash
# Recorder lag at the proxy's rate: produces session events shaped as session-proxy writes them (v2, tagged) to Kafka
# at RATE events/s and measures, from the last event acknowledged, how long until the packaged recorder has staged
# every one (ingested) and sealed every session (sealed), with events/s ingested and the recorder's CPU. Each build
# runs on its own database and topic of one dev-stack PostgreSQL and Kafka; the builds alternate, ROUNDS times.
# A benchmark, not a test (dev.portcullis.recorder.bench.LagBenchmark does the work). Run from the repository root.
#
# Environment (defaults shown):
#   EVENTS=200000 RATE=20000 (0: unthrottled, i.e. a backlog) SESSIONS=4 ROUNDS=1
#   BASELINE=<a quarkus-app directory of another build, e.g. main's>, measured as "before" (optional); or
#   BASELINE_REF=<git ref> to build one from that commit in a temporary worktree
#   JFR=<label> (current|before) profiles that build's runs (recorder-service/target/lag-<label>-<round>.jfr)
#   BUILD=1 packages the current recorder first (0: use recorder-service/target/quarkus-app as it is)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${EVENTS:=200000}" "${RATE:=20000}" "${SESSIONS:=4}" "${ROUNDS:=1}" "${BUILD:=1}" "${JFR:=}"
source bin/lib/jdk.sh
portcullis_use_jdk21
java_home=$JAVA_HOME
mvn=(./mvnw -B -ntp -o -q)

if [ -n "${BASELINE_REF:-}" ] && [ -z "${BASELINE:-}" ]; then
  base_tree=$(mktemp -d)/baseline
  git worktree add --detach "$base_tree" "$BASELINE_REF" >/dev/null
  trap 'git worktree remove --force "$base_tree"' EXIT
  (cd "$base_tree" && ./mvnw -B -ntp -o -q -pl recorder-service -am package -DskipTests)
  BASELINE="$base_tree/recorder-service/target/quarkus-app"
fi
if [ "$BUILD" = 1 ]; then
  "${mvn[@]}" -pl recorder-service -am package -DskipTests
fi
"${mvn[@]}" -pl recorder-service -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$PWD/recorder-service/target/lag-classpath.txt" -Dmdep.includeScope=test

builds=()
[ -n "${BASELINE:-}" ] && builds+=("before=$(readlink -f "$BASELINE")")
builds+=("current=$(readlink -f recorder-service/target/quarkus-app)")
cd recorder-service
"$java_home/bin/java" -Dlag.jfr="$JFR" \
  -cp "target/test-classes:target/classes:$(cat target/lag-classpath.txt)" \
  dev.portcullis.recorder.bench.LagBenchmark "$EVENTS" "$RATE" "$SESSIONS" "$ROUNDS" "${builds[@]}"
