#!/usr/bin/env bash
#
# Copyright 2026 The splice-relay developers
#
# Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance with
# the License. You may obtain a copy of the License at
#
#     https://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on
# an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for the
# specific language governing permissions and limitations under the License.
#

# Reloads splice-proxy with --handover while ApacheBench (ab -c 32) runs through it, and fails if ab saw a single
# failed request. Everything runs on 127.0.0.1 and stops by itself.
#
#   1. a small HTTP backend (Python's http.server) and splice-proxy in front of it, with --handover;
#   2. ab -c 32 -n REQUESTS (default 20000) through the proxy, without keep-alive: a new connection per request;
#   3. meanwhile RELOADS (default 5) new proxies, one every INTERVAL seconds (default 2), each taking over from the
#      one before; every old proxy must drain and exit 0.
#
# Usage: examples/scripts/reload-ab.sh [-n REQUESTS] [-r RELOADS] [-i INTERVAL] [--port PORT]
# Needs a built examples/target/splice-proxy.jar (./mvnw -B -q package -DskipTests) and Linux with epoll; installs
# apache2-utils (ab) if missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/examples/target/splice-proxy.jar
REQUESTS=20000
RELOADS=5
INTERVAL=2
PORT=18080
BACKEND_PORT=18081
while [ $# -gt 0 ]; do
  case "$1" in
    -n) REQUESTS=$2; shift 2 ;;
    -r) RELOADS=$2; shift 2 ;;
    -i) INTERVAL=$2; shift 2 ;;
    --port) PORT=$2; BACKEND_PORT=$((PORT + 1)); shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[reload-ab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if ! command -v ab >/dev/null 2>&1; then
  log "installing apache2-utils (ab)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils >/dev/null
fi
[ -f "$JAR" ] || { echo "$JAR is missing: run ./mvnw -B -q package -DskipTests first" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/www"
head -c 4096 /dev/urandom >"$WORK/www/index.html"
# http.server's own listen backlog is 5, which would drop the proxy's connects under ab -c 32 (a 1 s SYN retry).
python3 -c '
import functools, http.server, sys
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 1024
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
Server(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()
' "$BACKEND_PORT" "$WORK/www" >"$WORK/backend.log" 2>&1 &
PIDS+=($!)

start_proxy() { # index -> pid in PROXY_PID, after its start-up line
  local out=$WORK/proxy-$1.out
  java -jar "$JAR" --listen "127.0.0.1:$PORT" --target "127.0.0.1:$BACKEND_PORT" --transport epoll \
    --handover "$WORK/handover.sock" --drain-timeout 60s --status-interval 0 >"$out" 2>"$WORK/proxy-$1.err" &
  PROXY_PID=$!
  PIDS+=("$PROXY_PID")
  for _ in $(seq 1 300); do
    if grep -q "listening on" "$out"; then return 0; fi
    if ! kill -0 "$PROXY_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "proxy $1 did not start:" >&2
  cat "$WORK/proxy-$1.err" >&2
  exit 1
}

for _ in $(seq 1 50); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $BACKEND_PORT), 1)" 2>/dev/null; then break; fi
  sleep 0.1
done
start_proxy 0
OLD_PIDS=()
log "ab -c 32 -n $REQUESTS through 127.0.0.1:$PORT, with $RELOADS reloads $INTERVAL s apart"
ab -q -r -c 32 -n "$REQUESTS" "http://127.0.0.1:$PORT/index.html" >"$WORK/ab.txt" 2>&1 &
AB_PID=$!
for i in $(seq 1 "$RELOADS"); do
  sleep "$INTERVAL"
  OLD_PIDS+=("$PROXY_PID")
  start_proxy "$i"
  log "reload $i: pid $PROXY_PID took over"
done
wait "$AB_PID" || true
cat "$WORK/ab.txt"

status=0
for pid in "${OLD_PIDS[@]}"; do
  rc=0
  wait "$pid" || rc=$?
  if [ "$rc" != 0 ]; then log "old proxy $pid exited $rc, not 0"; status=1; fi
done
complete=$(awk '/^Complete requests:/ { print $3 }' "$WORK/ab.txt")
failed=$(awk '/^Failed requests:/ { print $3 }' "$WORK/ab.txt")
non2xx=$(awk '/^Non-2xx responses:/ { print $3 }' "$WORK/ab.txt")
if [ "$complete" != "$REQUESTS" ] || [ "${failed:-1}" != 0 ] || [ -n "$non2xx" ]; then
  log "FAILED: $complete of $REQUESTS complete, $failed failed, ${non2xx:-0} non-2xx"
  status=1
else
  log "OK: $complete requests, 0 failed, across $RELOADS reloads"
fi
exit $status
