#!/usr/bin/env bash
# Bytes stored per recorded statement: sums, over the sealed recordings of one agent, the stored (compressed) and
# uncompressed sizes of the .jsonl and the number of requests, as recorder-service's auditor API reports them. Run it
# after a benchmark through the proxy (e.g. pgbench-compare.sh) once the recorder has sealed its sessions. A
# benchmark, not a test. Needs curl and python3.
#
# Environment: AGENT (the benchmark's agent), RECORDER_URL, AUDITOR_TOKEN (a token with role auditor, e.g.
# carol-auditor's through the dev realm's portcullis-cli client).
set -euo pipefail
: "${AGENT:?}" "${RECORDER_URL:?}" "${AUDITOR_TOKEN:?}"
python3 - "$AGENT" "$RECORDER_URL" "$AUDITOR_TOKEN" <<'PY'
import json, sys, urllib.parse, urllib.request
agent, base, token = sys.argv[1:4]
page, sessions, requests, stored, plain, events = 0, 0, 0, 0, 0, 0
while True:
    url = f"{base}/v1/sessions?agent={urllib.parse.quote(agent)}&size=100&page={page}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    body = json.load(urllib.request.urlopen(req))
    items = body.get("items") or body.get("sessions") or []
    for s in items:
        rec = s.get("recording")
        if not rec:
            continue
        sessions += 1
        requests += s.get("requests", 0)
        events += s.get("events", 0)
        plain += rec.get("size_bytes", 0)
        stored += rec.get("stored_size_bytes") or rec.get("size_bytes", 0)
    if len(items) < 100:
        break
    page += 1
print(f"{sessions} recordings, {requests} statements, {events} events")
if requests:
    print(f"stored {stored} bytes: {stored / requests:.0f} bytes per statement "
          f"(uncompressed {plain / requests:.0f}; {events / requests:.2f} events per statement)")
PY
