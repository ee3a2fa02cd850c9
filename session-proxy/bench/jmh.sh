#!/usr/bin/env bash
# JMH microbenchmarks of session-proxy's per-statement hot paths (test tree, classes *Jmh; see session-proxy/README.md,
# "JMH: per-statement hot paths"). Builds the test classes (JMH's annotation processor writes the harness), runs the
# benchmarks matching REGEX with JMH's gc profiler, and prints each one's ns/op (median and mean of the measurement
# iterations), bytes allocated per op and its ratio to the baseline, which always runs with them
# (BaselineJmh.pgbouncerCopy: one statement's frames copied, what PgBouncer does): on shared, noisy cores absolute
# figures mean little, ratios within one run do.
#
# Usage: session-proxy/bench/jmh.sh [REGEX ...]      (default: every *Jmh benchmark; e.g. 'prepared|event')
# Environment (JMH's options; defaults are short, a full run of the 20 benchmarks takes about 3.5 minutes):
#   FORKS=1 WARMUP=3 WARMUP_TIME=1s ITERATIONS=5 TIME=1s   JVM_ARGS="-Xms1g -Xmx1g"   JMH_ARGS (anything else)
#   BUILD_LOCK=/tmp/portcullis-build.lock (Maven runs under flock when flock exists; empty: no lock)
# Raw results: session-proxy/target/jmh/ (JMH's log and JSON of the run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bin/lib/jdk.sh"
portcullis_use_jdk21 || exit 1
cd "$ROOT"

FORKS=${FORKS:-1}
WARMUP=${WARMUP:-3}
WARMUP_TIME=${WARMUP_TIME:-1s}
ITERATIONS=${ITERATIONS:-5}
TIME=${TIME:-1s}
JVM_ARGS=${JVM_ARGS:--Xms1g -Xmx1g}
BUILD_LOCK=${BUILD_LOCK-/tmp/portcullis-build.lock}
BASELINE='dev.portcullis.proxy.bench.BaselineJmh.pgbouncerCopy'
if [ "$#" -eq 0 ]; then set -- 'Jmh'; fi

OUT="$ROOT/session-proxy/target/jmh"
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
CP_FILE="$OUT/classpath.txt"
JSON="$OUT/jmh-$STAMP.json"
LOG="$OUT/jmh-$STAMP.log"

LOCK=()
if [ -n "$BUILD_LOCK" ] && command -v flock >/dev/null 2>&1; then LOCK=(flock "$BUILD_LOCK"); fi
echo "building the test classes and their classpath ..." >&2
# one reactor run, so sibling modules come from this worktree, not ~/.m2 (the last module, session-proxy, writes the file)
"${LOCK[@]}" ./mvnw -B -ntp -q -pl session-proxy -am test-compile dependency:build-classpath \
  -DskipTests -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="$ROOT/session-proxy/target/test-classes:$ROOT/session-proxy/target/classes:$(cat "$CP_FILE")"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
echo "load average before: $LOAD_BEFORE" >&2
# shellcheck disable=SC2086 # JVM_ARGS and JMH_ARGS are word lists
"$JAVA_HOME/bin/java" -Xmx512m -Duser.language=en -Duser.country=US -cp "$CP" org.openjdk.jmh.Main \
  -f "$FORKS" -wi "$WARMUP" -w "$WARMUP_TIME" -i "$ITERATIONS" -r "$TIME" \
  -jvmArgsAppend "$JVM_ARGS" -prof gc -foe true -rf json -rff "$JSON" ${JMH_ARGS:-} \
  "$BASELINE" "$@" 2>&1 | tee "$LOG" >&2
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); load average before $LOAD_BEFORE, after $LOAD_AFTER"
echo "forks $FORKS, warm-up $WARMUP × $WARMUP_TIME, measurement $ITERATIONS × $TIME, JVM $JVM_ARGS"
echo

# JMH's JSON, one key per line: per benchmark its primaryMetric (ns/op: mean "score", "scoreError", the median as
# scorePercentiles "50.0") and the gc profiler's secondaryMetrics "gc.alloc.rate.norm" (B/op). The ratio is of
# medians: a few iterations hit by another process's burst move a mean (and the baseline's moves every ratio) more
# than a median.
awk -v base="$BASELINE" '
  function num(line) { sub(/^[^:]*: */, "", line); gsub(/[",]/, "", line); return line + 0 }
  /"benchmark" :/ { line = $0; sub(/^[^:]*: *"/, "", line); sub(/".*$/, "", line); name = line; order[++n] = name; sect = ""; next }
  /"primaryMetric" :/ { sect = "p"; next }
  /"secondaryMetrics" :/ { sect = "s"; next }
  sect == "s" && /"[a-z.]+" : \{/ { metric = $0; sub(/^ *"/, "", metric); sub(/".*$/, "", metric); next }
  sect == "p" && /"score" :/ { mean[name] = num($0); next }
  sect == "p" && /"scoreError" :/ { err[name] = num($0); next }
  sect == "p" && /"50\.0" :/ { median[name] = num($0); next }
  sect == "s" && metric == "gc.alloc.rate.norm" && /"score" :/ { bytes[name] = num($0); next }
  END {
    if (!(base in median) || median[base] <= 0) { print "no baseline in the results" > "/dev/stderr"; exit 1 }
    printf "| %-52s | %12s | %22s | %8s | %10s |\n", "benchmark", "median ns/op", "mean ± error (99.9%)", "B/op", "× baseline"
    printf "|%s|%s|%s|%s|%s|\n", "------------------------------------------------------", "-------------:", "-----------------------:", "---------:", "-----------:"
    for (i = 1; i <= n; i++) {
      b = order[i]; short = b; sub(/^dev\.portcullis\.proxy\./, "", short)
      printf "| %-52s | %12.1f | %22s | %8s | %10.1f |\n", "`" short "`", median[b], \
        sprintf("%.1f ± %.1f", mean[b], err[b]), (b in bytes) ? sprintf("%.0f", bytes[b]) : "?", median[b] / median[base]
    }
  }' "$JSON"
echo
echo "raw: $LOG, $JSON"
