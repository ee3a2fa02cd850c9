# Sourced by mvnw, bin/portcullis and .ci/run: make JAVA_HOME point at a JDK 21 or newer.
# Order: JAVA_HOME if it is 21+, then the newest 21+ JDK in the usual JVM directories, then the
# `java` on PATH. Fails with a clear message when there is none. POSIX sh, no bashisms.

portcullis_java_major() {
  # prints the feature version of the java binary $1 (e.g. 17, 21, 25), or nothing
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

portcullis_use_jdk21() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(portcullis_java_major "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then export JAVA_HOME; return 0; fi
  fi
  best=""; best_v=0
  case $- in *f*) set +f; portcullis_noglob=1 ;; *) portcullis_noglob=0 ;; esac  # mvnw runs with set -f
  for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    v=$(portcullis_java_major "$d/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  [ "$portcullis_noglob" = 1 ] && set -f
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    j=$(command -v javac); j=$(readlink -f "$j" 2>/dev/null || echo "$j"); d=$(dirname "$(dirname "$j")")
    v=$(portcullis_java_major "$d/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then best="$d"; fi
  fi
  if [ -z "$best" ]; then
    echo "portcullis: no JDK 21 or newer found." >&2
    echo "  Checked JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/*, /usr/java/*, /opt/java/*, ~/.sdkman, ~/.jdks and the java on PATH." >&2
    echo "  Install one (e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21) or set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA_HOME="$best"; export JAVA_HOME
}
