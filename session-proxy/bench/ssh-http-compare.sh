#!/usr/bin/env bash
# SSH and Kubernetes-API-shaped HTTP through the Portcullis proxy against direct access, one run,
# printed as ratios. A benchmark, not a test. It runs SshHttpBenchmark (session-proxy test tree)
# with the test stack: real Keycloak and Kafka from dev-stack, a real OpenSSH sshd on a loopback
# port (as SshTestResource starts it), fabric8's mock API server behind the test front (TLS, token
# auth, chunked watch) and the test policy server (card-number detector on every SSH and HTTP
# decision, as the default pack has).
#
#   SSH throughput  ssh … cat <FILE_MB MB of base64 text>, proxy vs direct (and proxy with a policy that masks nothing)
#   SSH latency     EXECS sequential `ssh … true`, each a new connection, proxy vs direct
#   HTTP            wrk -t2 -c8 for WRK_SECONDS over list pods / get pod / get configmap / list secrets
#
# Needs: OpenSSH client and server (openssh-client, openssh-server), wrk, a JDK 21+ for the build.
# Environment: FILE_MB=100 EXECS=200 WRK_SECONDS=10
# Output: the figures, also in session-proxy/target/bench/ssh-http-compare.txt.
set -euo pipefail
: "${FILE_MB:=100}" "${EXECS:=200}" "${WRK_SECONDS:=10}"
for tool in ssh sshd wrk; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "$tool is not installed" >&2; exit 1; }
done
cd "$(dirname "$0")/../.."
mkdir -p session-proxy/target
./mvnw -B -ntp -q -pl session-proxy -am verify -Dtest=SshHttpBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.file-mb="$FILE_MB" -Dbench.execs="$EXECS" -Dbench.wrk-seconds="$WRK_SECONDS" \
  >session-proxy/target/bench-run.log 2>&1 || { tail -50 session-proxy/target/bench-run.log; exit 1; }
cat session-proxy/target/bench/ssh-http-compare.txt
