#!/usr/bin/env bash
# Measures how fast session-proxy's event spool drains into a real Kafka (dev-stack's): events/s, the time to
# drain N spooled events (default 100,000), and how long a session started during the drain waits.
# Usage: session-proxy/bench/spool-drain.sh [events]     (see session-proxy/README.md, "Event delivery")
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bin/lib/jdk.sh"
portcullis_use_jdk21 || exit 1
cd "$ROOT"
CP_FILE="$ROOT/session-proxy/target/bench-classpath.txt"
# one reactor run, so sibling modules come from this worktree, not ~/.m2
./mvnw -B -ntp -o -q -pl session-proxy -am test-compile dependency:build-classpath \
  -DskipTests -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
exec "$JAVA_HOME/bin/java" -Xmx512m \
  -cp "$ROOT/session-proxy/target/test-classes:$ROOT/session-proxy/target/classes:$(cat "$CP_FILE")" \
  dev.portcullis.proxy.events.SpoolDrainBench "$@"
