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

# Shared by benchmarks/peers.sh, peers-syscalls.sh and peers-coldstart.sh (sourced, not run): installing the tools,
# building the relays, starting and stopping a relay at a given thread count, the backends the clients talk to, and
# the CPU accounting of a relay's process tree. Everything listens on 127.0.0.1 and is stopped by peers_cleanup.
#
# The sourcing script sets, before calling these functions:
#   RELAYS   relay names, in the order that fixes their ports and chart colours
#   PROXY    jar (examples/target/splice-proxy.jar) or standin (RelayMain in benchmarks.jar)
#   JAVA22   a Java 22+ binary for sr-splice-1m, or none
#   WORK     a private temporary directory

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR=$ROOT/benchmarks/target/benchmarks.jar
GORELAY=$ROOT/benchmarks/target/gorelay
PROXY_JAR=$ROOT/examples/target/splice-proxy.jar
BASELINE_JAR=""   # sr-splice-base and sr-copy-base run this splice-proxy.jar (--baseline)
# sr-splice-1m needs the Java 22 pipe sizer (META-INF/versions/22 of core's multi-release jar, which the build
# compiles when it finds a JDK 22+; splice-proxy.jar and benchmarks.jar carry it and say Multi-Release).
has_pipe_sizer() { unzip -l "$1" 2>/dev/null | grep -q 'META-INF/versions/22/dev/splicerelay/PipeSizer.class'; }
JAVA_OPTS=(-Dio.netty.leakDetection.level=disabled -Xms256m -Xmx256m)
TICKS=$(getconf CLK_TCK)

# A script's header comment, after its licence header (which ends at the first blank line).
usage() { awk 'body { if (/^set -euo/) exit; sub(/^# ?/, ""); print } /^$/ { body = 1 }' "$1"; }

log() { printf '[peers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

java_feature() { "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }'; }

find_java22() { # prints the first Java 22+ under /usr/lib/jvm, or none
  local candidate
  for candidate in /usr/lib/jvm/*/bin/java; do
    if [ -x "$candidate" ] && [ "$(java_feature "$candidate")" -ge 22 ] 2>/dev/null; then echo "$candidate"; return; fi
  done
  echo none
}

# ---------------------------------------------------------------------------------------------------------- install
PEERS_PACKAGES="iperf3 haproxy socat nginx libnginx-mod-stream golang-go gnuplot-nox jq apache2-utils redis-server
  redis-tools nghttp2-client strace"

install_tools() { # force(0|1) [extra packages...]
  local force=$1 missing=0 tool
  shift
  for tool in iperf3 haproxy socat nginx go gnuplot jq ab redis-server redis-benchmark h2load strace; do
    command -v "$tool" >/dev/null 2>&1 || missing=1
  done
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || missing=1
  for tool in "$@"; do dpkg -s "$tool" >/dev/null 2>&1 || missing=1; done
  if [ "$missing" = 0 ] && [ "$force" = 0 ]; then
    return
  fi
  log "installing" $PEERS_PACKAGES "$@"
  # Keep the packages' maintainer scripts from starting system nginx/haproxy/redis services, unless a policy exists.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
  fi
  apt-get update -q
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PEERS_PACKAGES "$@"
  if [ "$added_policy" = 1 ]; then rm -f "$policy"; fi
}

# ------------------------------------------------------------------------------------------------------------ build
has_relay() { [[ " $RELAYS " == *" $1 "* ]]; }
# sr-splice-base and sr-copy-base run the --baseline jar, as users run splice-proxy.jar.
check_baseline() {
  if { has_relay sr-splice-base || has_relay sr-copy-base; } && { [ ! -f "$BASELINE_JAR" ] || [ "$PROXY" != jar ]; }; then
    echo "sr-splice-base and sr-copy-base need --baseline JAR (an existing splice-proxy.jar) and --proxy jar" >&2
    exit 2
  fi
}

build_relays() {
  if [ ! -f "$JAR" ] || { [ "$PROXY" = jar ] && [ ! -f "$PROXY_JAR" ]; }; then
    log "building benchmarks.jar and splice-proxy.jar (./mvnw package -DskipTests)"
    (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
  fi
  if has_relay sr-splice-1m; then
    if [ "$PROXY" = standin ]; then
      # The Java 22+ pipe sizer (FFM) is only in a jar built on JDK 22+ (META-INF/versions/22).
      if ! has_pipe_sizer "$JAR"; then
        log "building benchmarks.jar with $JAVA22 (multi-release, for sr-splice-1m)"
        (cd "$ROOT" && JAVA_HOME=$(dirname "$(dirname "$JAVA22")") ./mvnw -q -B -DskipTests -pl core,benchmarks package)
      fi
    elif ! has_pipe_sizer "$PROXY_JAR"; then
      log "building splice-proxy.jar with $JAVA22 (multi-release, for sr-splice-1m)"
      (cd "$ROOT" && JAVA_HOME=$(dirname "$(dirname "$JAVA22")") ./mvnw -q -B -DskipTests -pl core,examples package)
    fi
  fi
  if has_relay gorelay; then
    log "building gorelay"
    mkdir -p "$ROOT/benchmarks/target"
    (cd "$ROOT/benchmarks/peers/gorelay" && GOCACHE=$ROOT/benchmarks/target/go-cache GOFLAGS=-mod=mod \
      go build -o "$GORELAY" .)
  fi
}

# --------------------------------------------------------------------------------------------------- relay configs
# A config is a relay at a thread count, written NAME@THREADS (sr-splice@1, haproxy-splice@2); "none" (no relay) and
# "socat" (one process per connection, no thread setting) stand alone. Its index in $CONFIGS fixes its ports: it
# listens on 20000+i and, for iperf3, relays to its own iperf3 server on 21000+i.
config_name() { echo "${1%@*}"; }
# Relays that run on the JVM: they get a longer warm-up, JFR and a perf map.
is_jvm() { case "$(config_name "$1")" in sr-*|netty-proxy|netty-raw) return 0 ;; esac; return 1; }
config_threads() { if [[ $1 == *@* ]]; then echo "${1#*@}"; else echo -; fi; }
config_index() { local i=0 c; for c in $CONFIGS; do [ "$c" = "$1" ] && { echo "$i"; return; }; i=$((i + 1)); done; }
listen_port() { if [ "$1" = none ]; then echo "$2"; else echo $((20000 + $(config_index "$1"))); fi; }

# Relays that say they splice; peers.sh's splice check fails the run if one of them makes no splice call.
claims_splice() {
  case "$(config_name "$1")" in
    sr-splice|sr-splice-base|sr-spliceto|sr-splice-1m|sr-metrics|sr-server|haproxy-splice|gorelay) return 0 ;;
  esac
  return 1
}

declare -A RELAY_PID=()
SCRAPER_PIDS=()

wait_listening() { # port, pid: waits up to 15 s for a listener on 127.0.0.1:port
  local i
  for i in $(seq 1 150); do
    if ss -Hltn "sport = :$1" | grep -q .; then return 0; fi
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

haproxy_config() { # listen, target, splice(0|1), threads
  # Forced splicing: HAProxy 2.6's splice-auto splices only once a buffer fills, which a relay of loopback traffic
  # never saw (0 splice calls while 256 MiB passed); splice-request and splice-response splice from the first byte.
  local splice="no option splice-auto
  no option splice-request
  no option splice-response"
  [ "$3" = 1 ] && splice="option splice-request
  option splice-response"
  cat <<EOF
global
  nbthread $4
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  $splice
listen relay
  bind 127.0.0.1:$1
  server target 127.0.0.1:$2
EOF
}

nginx_stream_config() { # listen, target, prefix dir, workers
  cat <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes $4;
daemon off;
master_process on;
pid $3/nginx.pid;
error_log $3/error.log warn;
events { worker_connections 4096; }
stream {
  server {
    listen 127.0.0.1:$1;
    proxy_pass 127.0.0.1:$2;
  }
}
EOF
}

# splice-relay's command line for a config, without the java binary and JVM options: mode, engine and main class.
sr_args() { # name, port, target, threads
  local mode=splice engine=io_handle jar=$PROXY_JAR
  case "${1%-base}" in
    sr-copy) mode=copy; engine=auto ;;
    sr-spliceto) engine=splice_to ;;
  esac
  [ "${1%-base}" = "$1" ] || jar=$BASELINE_JAR
  if [ "$PROXY" = jar ]; then
    local main
    main=$(unzip -p "$jar" META-INF/MANIFEST.MF | sed -n 's/^Main-Class: *//p' | tr -d '\r')
    local ops=""
    # Counting everything, next to sr-splice: the metrics endpoint (scraped each second, see start_relay) and the
    # access log, written to the relay's own log file.
    [ "$1" = sr-metrics ] && ops="--metrics-listen 127.0.0.1:$(($2 + 5000)) --access-log"
    echo -cp "$jar" "$main" --listen "127.0.0.1:$2" --target "127.0.0.1:$3" --mode "$mode" --splice-engine "$engine" \
      --transport epoll --threads "$4" --status-interval 0 --drain-timeout 1s $ops
  else
    echo -cp "$JAR" dev.splicerelay.benchmarks.RelayMain --listen "127.0.0.1:$2" --target "127.0.0.1:$3" \
      --mode "$mode" --engine "$engine" --transport epoll --threads "$4"
  fi
}

start_relay() { # config, target port [extra JVM options...]
  local config=$1 target=$2 name threads port dir java=java
  shift 2
  [ "$config" = none ] && return 0
  name=$(config_name "$config")
  threads=$(config_threads "$config")
  port=$(listen_port "$config")
  dir=$WORK/$config
  rm -rf "$dir"
  mkdir -p "$dir"
  case "$name" in
    sr-splice|sr-spliceto|sr-splice-1m|sr-copy|sr-splice-base|sr-copy-base)
      [ "$name" = sr-splice-1m ] && java=$JAVA22
      # shellcheck disable=SC2046
      "$java" "${JAVA_OPTS[@]}" "$@" $(sr_args "$name" "$port" "$target" "$threads") >"$dir/out.log" 2>&1 & ;;
    sr-metrics)
      [ "$PROXY" = jar ] || { echo "sr-metrics needs --proxy jar" >&2; exit 2; }
      # Scrapes as Prometheus would, only faster; stopped with the relays.
      (while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:$((port + 5000))/metrics" || true; done) &
      SCRAPER_PIDS+=($!)
      # shellcheck disable=SC2046
      java "${JAVA_OPTS[@]}" "$@" -Dorg.slf4j.simpleLogger.logFile="$dir/proxy-log.txt" \
        $(sr_args "$name" "$port" "$target" "$threads") >"$dir/out.log" 2>&1 & ;;
    netty-proxy)
      java "${JAVA_OPTS[@]}" "$@" -cp "$JAR" dev.splicerelay.benchmarks.NettyProxyMain --listen "127.0.0.1:$port" \
        --target "127.0.0.1:$target" --transport epoll --threads "$threads" >"$dir/out.log" 2>&1 & ;;
    sr-server|sr-server-copy)
      local mode=splice
      [ "$name" = sr-server-copy ] && mode=copy
      java "${JAVA_OPTS[@]}" "$@" -cp "$JAR" dev.splicerelay.benchmarks.RelayServerMain --listen "127.0.0.1:$port" \
        --target "127.0.0.1:$target" --mode "$mode" --threads "$threads" >"$dir/out.log" 2>&1 & ;;
    netty-raw)
      java "${JAVA_OPTS[@]}" "$@" -cp "$JAR" dev.splicerelay.benchmarks.RawRelayMain --listen "127.0.0.1:$port" \
        --target "127.0.0.1:$target" --threads "$threads" >"$dir/out.log" 2>&1 & ;;
    haproxy-splice|haproxy-nosplice)
      local splice=0
      [ "$name" = haproxy-splice ] && splice=1
      haproxy_config "$port" "$target" "$splice" "$threads" >"$dir/haproxy.cfg"
      haproxy -db -f "$dir/haproxy.cfg" >"$dir/out.log" 2>&1 & ;;
    gorelay)
      GOMAXPROCS=$threads "$GORELAY" -listen "127.0.0.1:$port" -target "127.0.0.1:$target" >"$dir/out.log" 2>&1 & ;;
    socat)
      socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,backlog=4096" "TCP:127.0.0.1:$target" \
        >"$dir/out.log" 2>&1 & ;;
    nginx)
      nginx_stream_config "$port" "$target" "$dir" "$threads" >"$dir/nginx.conf"
      nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 & ;;
    *) echo "unknown relay: $name" >&2; exit 2 ;;
  esac
  RELAY_PID[$config]=$!
  [ "${RELAY_NOWAIT:-0}" = 1 ] && return 0 # the caller waits in its own way (peers-coldstart.sh)
  if ! wait_listening "$port" "${RELAY_PID[$config]}"; then
    echo "relay $config did not start listening on $port:" >&2
    cat "$dir"/*.log >&2 || true
    exit 1
  fi
}

stop_relays() { # [pattern of expected log lines, ignored]
  local config expected=${1:-} pid
  for pid in "${SCRAPER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  SCRAPER_PIDS=()
  for config in "${!RELAY_PID[@]}"; do kill "${RELAY_PID[$config]}" 2>/dev/null || true; done
  for config in "${!RELAY_PID[@]}"; do wait "${RELAY_PID[$config]}" 2>/dev/null || true; done
  for config in "${!RELAY_PID[@]}"; do
    if grep -qiE 'failure|exception|error|alert' "$WORK/$config"/*.log 2>/dev/null; then
      log "$config logged (first lines; see BENCHMARKS.md, \"what a relay may log\"):"
      # Not grep | head: with pipefail, grep's SIGPIPE after head's third line would end the whole run.
      awk 'tolower($0) ~ /failure|exception|error|alert/ { print substr($0, 1, 240); if (++n == 3) exit }' \
        "$WORK/$config"/*.log >&2
    fi
  done
  RELAY_PID=()
}

# The tail of peers-syscalls.sh's and peers-coldstart.sh's set-up: one thread per relay, a private work directory
# named after the script, and cleanup on exit.
one_thread_setup() { # script name
  if has_relay sr-splice-1m; then JAVA22=$(find_java22); fi
  CONFIGS=""
  for name in $RELAYS; do CONFIGS+=" $name@1"; done
  CONFIGS=${CONFIGS# }
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
}

relay_alive() { [ "$1" = none ] || kill -0 "${RELAY_PID[$1]}" 2>/dev/null; }

# CPU ticks of a process, its reaped children and all its live descendants: user+system, or with "split" the user
# and the system ticks.
tree_ticks() { # pid [split]
  local root=$1
  awk -v root="$root" -v split_="${2:-}" '
    { line = $0; sub(/^[0-9]+ \(.*\) /, "", line); split(line, f, " ")
      pid = $1; ppid[pid] = f[2]; u[pid] = f[12] + f[14]; s[pid] = f[13] + f[15] }
    END {
      for (p in u) {
        q = p; while (q in ppid && q != root && q > 1) q = ppid[q]
        if (q == root) { user += u[p]; sys += s[p] }
      }
      if (split_ == "split") print user, sys; else print user + sys
    }' < <(cat /proc/[0-9]*/stat 2>/dev/null)
}

tree_pids() { # the process and its live descendants, one per line
  local root=$1
  awk -v root="$root" '
    { line = $0; sub(/^[0-9]+ \(.*\) /, "", line); split(line, f, " "); ppid[$1] = f[2] }
    END { for (p in ppid) { q = p; while (q in ppid && q != root && q > 1) q = ppid[q]; if (q == root) print p } }' \
    < <(cat /proc/[0-9]*/stat 2>/dev/null)
}

relay_ticks() { if [ "$1" = none ]; then echo 0; else tree_ticks "${RELAY_PID[$1]}"; fi; }
ticks_to_s() { awk -v a="$1" -v b="$2" -v t="$TICKS" 'BEGIN { printf "%.3f", (b - a) / t }'; }

# strace -f attached to every process of a relay's tree (socat's later forks and nginx's workers included); the
# caller runs the load, then strace_stop. Waits until every process is traced, so that no early call is missed.
STRACE_PID=""
strace_start() { # relay pid, output file, strace options...
  local root=$1 out=$2 pid args=() i
  shift 2
  for pid in $(tree_pids "$root"); do args+=(-p "$pid"); done
  strace -f -o "$out" "$@" "${args[@]}" 2>/dev/null &
  STRACE_PID=$!
  local statuses=()
  for pid in $(tree_pids "$root"); do statuses+=(/proc/"$pid"/task/*/status); done
  for i in $(seq 1 100); do
    if awk '/^TracerPid:/ && $2 == 0 { untraced = 1 } END { exit untraced }' "${statuses[@]}" 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  echo "strace did not attach to $root" >&2
  return 1
}
strace_stop() { kill -INT "$STRACE_PID" 2>/dev/null || true; wait "$STRACE_PID" 2>/dev/null || true; STRACE_PID=""; }
# The number of calls of one system call in a strace -c summary.
strace_calls() { awk -v s="$2" '$NF == s && $4 ~ /^[0-9]+$/ { print $4; found = 1 } END { if (!found) print 0 }' "$1"; }

# ---------------------------------------------------------------------------------------------------------- backends
# The servers behind the relays: an iperf3 server per run (one test at a time), nginx for HTTP/1.1 (ab) and h2c
# (h2load), redis, and the Netty echo server of the latency client. Fixed ports 22000-22003.
ECHO_PORT=22000
HTTP_PORT=22001
H2_PORT=22002
REDIS_PORT=22003
declare -A BACKEND_PID=()
IPERF_SERVER_PID=""

start_iperf_server() { # port
  iperf3 -s -1 -B 127.0.0.1 -p "$1" >/dev/null 2>&1 &
  IPERF_SERVER_PID=$!
  wait_listening "$1" "$IPERF_SERVER_PID" || { echo "iperf3 server did not start on $1" >&2; exit 1; }
}

wait_iperf_server() {
  wait "$IPERF_SERVER_PID" 2>/dev/null || true
  IPERF_SERVER_PID=""
}

# One nginx worker serving 4 KiB files over HTTP/1.1 on $HTTP_PORT and HTTP/2 without TLS (h2c, prior knowledge) on
# $H2_PORT; ab and h2load fetch /4k.bin.
start_http_backend() {
  local dir=$WORK/backend-http
  mkdir -p "$dir/www"
  head -c 4096 /dev/urandom >"$dir/www/4k.bin"
  # nginx's workers run as an unprivileged user (www-data or nobody when started as root): they must reach the file.
  chmod a+x "$WORK" "$dir"
  chmod -R a+rX "$dir/www"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  server { listen 127.0.0.1:$HTTP_PORT backlog=4096; root $dir/www; }
  server { listen 127.0.0.1:$H2_PORT http2 backlog=4096; root $dir/www; }
}
EOF
  nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 &
  BACKEND_PID[http]=$!
  wait_listening "$HTTP_PORT" "${BACKEND_PID[http]}" && wait_listening "$H2_PORT" "${BACKEND_PID[http]}" \
    || { echo "nginx backend did not start:" >&2; cat "$dir"/*.log >&2; exit 1; }
}

start_redis_backend() {
  mkdir -p "$WORK/backend-redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$WORK/backend-redis" \
    --daemonize no --maxclients 10000 >"$WORK/backend-redis/out.log" 2>&1 &
  BACKEND_PID[redis]=$!
  wait_listening "$REDIS_PORT" "${BACKEND_PID[redis]}" \
    || { echo "redis-server did not start:" >&2; cat "$WORK/backend-redis/out.log" >&2; exit 1; }
}

start_echo_backend() {
  java -Xms128m -Xmx128m -cp "$JAR" dev.splicerelay.benchmarks.EchoMain --listen "127.0.0.1:$ECHO_PORT" \
    >"$WORK/echo.log" 2>&1 &
  BACKEND_PID[echo]=$!
  wait_listening "$ECHO_PORT" "${BACKEND_PID[echo]}" || { echo "echo server did not start" >&2; exit 1; }
}

peers_cleanup() {
  local pid
  [ -n "$STRACE_PID" ] && kill -INT "$STRACE_PID" 2>/dev/null
  for pid in "${RELAY_PID[@]}" "${SCRAPER_PIDS[@]}" "${BACKEND_PID[@]}" $IPERF_SERVER_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${RELAY_PID[@]}" "${SCRAPER_PIDS[@]}" "${BACKEND_PID[@]}" $IPERF_SERVER_PID $STRACE_PID; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}

# ----------------------------------------------------------------------------------------------------------- clients
# Each prints "value amount status": the rate (requests/s), the number of requests it completed, and ok or why not.
# Every client runs under timeout; a failed request anywhere makes the run's status non-ok (excluded from medians).
AB_CONCURRENCY=32
REDIS_CLIENTS=50
H2_CONNECTIONS=16
H2_STREAMS=16

run_ab() { # port, seconds
  local out rc=0
  out=$(timeout $(($2 + 60)) ab -q -r -c "$AB_CONCURRENCY" -t "$2" -n 10000000 "http://127.0.0.1:$1/4k.bin" 2>&1) || rc=$?
  awk -v rc="$rc" '
    /^Complete requests:/ { done = $3 } /^Failed requests:/ { failed = $3 } /^Non-2xx responses:/ { non2xx = $3 }
    /^Requests per second:/ { rate = $4 }
    END {
      status = "ok"
      if (rc != 0) status = "ab-exit-" rc; else if (failed + non2xx > 0) status = "ab-failed-" failed + non2xx
      if (rate == "" || done == "") status = "ab-no-result"
      print rate, done, status }' <<<"$out"
}

run_redis() { # port, pipeline, requests
  local out rc=0
  out=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$1" -t set -c "$REDIS_CLIENTS" -P "$2" -n "$3" --csv 2>&1) || rc=$?
  awk -F'"' -v rc="$rc" -v n="$3" '
    $2 == "SET" { rate = $4 } /[Ee]rror/ { error = 1 }
    END {
      status = "ok"
      if (rc != 0) status = "redis-exit-" rc; else if (error) status = "redis-error"; else if (rate == "") status = "redis-no-result"
      print rate, n, status }' <<<"$out"
}

run_h2load() { # port, requests
  local out rc=0
  out=$(timeout 120 h2load -n "$2" -c "$H2_CONNECTIONS" -m "$H2_STREAMS" "http://127.0.0.1:$1/4k.bin" 2>&1) || rc=$?
  awk -v rc="$rc" -v n="$2" '
    /^finished in/ { rate = $4 } /^requests:/ { succeeded = $8 } /^status codes:/ { ok2xx = $3 }
    END {
      status = "ok"
      if (rc != 0) status = "h2load-exit-" rc; else if (succeeded != n || ok2xx != n) status = "h2load-" succeeded "-of-" n
      print rate, succeeded, status }' <<<"$out"
}

# The request scenarios' size: ab runs REQUEST_SECONDS; redis-benchmark and h2load send a fixed number of requests,
# about that many seconds' worth without a relay.
REQUEST_SECONDS=${REQUEST_SECONDS:-2}
request_client() { # scenario, port, scale (1: recorded run; warm-up runs are smaller)
  case "$1" in
    ab) run_ab "$2" "$(awk -v s="$REQUEST_SECONDS" -v f="$3" 'BEGIN { v = int(s * f + 0.5); print (v < 1 ? 1 : v) }')" ;;
    redis-P1) run_redis "$2" 1 "$(awk -v s="$REQUEST_SECONDS" -v f="$3" 'BEGIN { print int(30000 * s * f) }')" ;;
    redis-P16) run_redis "$2" 16 "$(awk -v s="$REQUEST_SECONDS" -v f="$3" 'BEGIN { print int(500000 * s * f) }')" ;;
    h2load) run_h2load "$2" "$(awk -v s="$REQUEST_SECONDS" -v f="$3" 'BEGIN { print int(40000 * s * f) }')" ;;
  esac
}

# An unrecorded warm-up of one request scenario through a relay. A JVM relay compiles its per-connection paths only
# after tens of thousands of connections: through splice-proxy, ab's rate rose from 2,400/s in the first 2 s to
# 3,600, 6,200 and 7,200/s, and C2 stopped compiling in the fourth run. So a JVM relay gets at least 6 half-size ab
# runs (2 of the other clients, whose few long connections warm up at once), and more (at most 10) until the rate
# is within 10 % of the run before; the other relays get one.
warm_up() { # config, scenario, backend port
  local port rate previous=0 i min=1 max=1
  port=$(listen_port "$1" "$3")
  if is_jvm "$1"; then min=2; max=10; [ "$2" = ab ] && min=6; fi
  for i in $(seq 1 "$max"); do
    read -r rate _ < <(request_client "$2" "$port" 0.5)
    if [ "$i" -ge "$min" ] && awk -v a="${rate:-0}" -v b="$previous" 'BEGIN { exit !(a < b * 1.1) }'; then break; fi
    previous=${rate:-0}
  done
  [ "$max" = 1 ] || log "warm-up $2 $1: $i runs, last ${rate:-?} req/s"
}
