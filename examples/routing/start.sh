#!/bin/sh
# Start the routing example: the gatekeeper and three agents (scripted provider, no API key). The
# researcher hosts an embedded MQTT broker on 127.0.0.1:1883 unless MQTT_BROKER_URL points elsewhere.
# Ctrl-C stops them all. Then, in another shell:
#   agent2389 inject --capability research --query "Rust async" --wait 60
set -eu
cd "$(dirname "$0")"
CLI="node ../../dist/src/cli/main.js"
[ -f ../../dist/src/cli/main.js ] || { echo "build first: npm ci && npm run build" >&2; exit 1; }

pids=""
stop() { [ -n "$pids" ] && kill $pids 2>/dev/null; wait; }
trap stop EXIT
trap 'exit 130' INT TERM

node gatekeeper.mjs & pids="$pids $!"
$CLI run researcher.toml & pids="$pids $!"
# The others connect to the researcher's broker: wait until it is ready.
tries=0
until $CLI health --port 8081 --timeout 1 >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 100 ] || { echo "the researcher did not become ready on :8081" >&2; exit 1; }
  sleep 0.2
done
$CLI run writer.toml & pids="$pids $!"
$CLI run editor.toml & pids="$pids $!"
echo "routing example running (researcher :8081, writer :8082, editor :8083, gatekeeper :8089); Ctrl-C stops it" >&2
wait
