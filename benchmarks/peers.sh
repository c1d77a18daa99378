#!/usr/bin/env bash
# Compares splice-relay with other TCP relays on 127.0.0.1, interleaved (A B C ... A B C ...), medians of N rounds:
#   1. the same iperf3 load (1 and 4 streams, both directions) through each relay: Gbit/s, ratio to no relay, and the
#      relay process's CPU seconds per GB moved (utime+stime of its process tree, from /proc/PID/stat);
#   2. 64-byte request/echo latency and connection churn through each relay, with the Java client of the JMH
#      benchmarks (dev.splicerelay.benchmarks.PingClient) against a Netty echo server.
# Relays: none, splice-relay (epoll, 1 thread: splice mode with its own engine, with Netty's spliceTo, and with its
# own engine on Java 22+ with 1 MiB pipes when such a JDK is found; copy mode), HAProxy (nbthread 1, splice-auto on
# and off), a minimal Go relay (benchmarks/peers/gorelay, GOMAXPROCS=1), socat, nginx stream (1 worker); with
# --netty-proxy also a bare Netty relay without splice-relay, for reference.
# Writes benchmarks/results/peers-DATE.csv (every run), peers-DATE-summary.md (medians, ratios) and peers.png.
#
# Usage: benchmarks/peers.sh [-t SECONDS] [-r ROUNDS] [-l SECONDS] [--relays "none sr-splice ..."] [--no-latency]
#                            [--proxy standin|jar] [--java22 PATH] [--install] [--netty-proxy]
#   -t  seconds per iperf3 run (default 4)         -r  rounds (default 3)
#   -l  seconds per latency/churn run (default 2)  --no-latency  skip part 2
#   --proxy standin (default): splice-relay runs as dev.splicerelay.benchmarks.RelayMain from benchmarks.jar, a
#           stand-in on the library's public API; jar: examples/target/splice-proxy.jar with the same options.
#           With --proxy jar, --relays may also name sr-metrics: sr-splice with --metrics-listen and --access-log
#           (to a file), scraped every second (the cost of counting, next to sr-splice).
#   --java22 PATH  the java (22+) that runs sr-splice-1m (default: the first under /usr/lib/jvm; none: leave it out).
#   --install  run apt-get even if every tool is already there.
#   --netty-proxy  add netty-proxy, a bare Netty relay without splice-relay (NettyProxyMain), as a reference point
#           (about 1.5 more minutes).
# Runtime with the defaults: 13.6 minutes on 2 vCPUs (2026-11-26), + installs and the Maven build on a fresh machine.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_PER_RUN=4
ROUNDS=3
LATENCY_SECONDS=2
DO_LATENCY=1
PROXY=standin
FORCE_INSTALL=0
RELAYS=""
JAVA22=auto
NETTY_PROXY=0

while [ $# -gt 0 ]; do
  case "$1" in
    -t) SECONDS_PER_RUN=$2; shift 2 ;;
    -r) ROUNDS=$2; shift 2 ;;
    -l) LATENCY_SECONDS=$2; shift 2 ;;
    --relays) RELAYS=$2; shift 2 ;;
    --no-latency) DO_LATENCY=0; shift ;;
    --proxy) PROXY=$2; shift 2 ;;
    --java22) JAVA22=$2; shift 2 ;;
    --install) FORCE_INSTALL=1; shift ;;
    --netty-proxy) NETTY_PROXY=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[peers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

java_feature() { "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }'; }
if [ "$JAVA22" = auto ]; then
  JAVA22=none
  for candidate in /usr/lib/jvm/*/bin/java; do
    if [ -x "$candidate" ] && [ "$(java_feature "$candidate")" -ge 22 ] 2>/dev/null; then JAVA22=$candidate; break; fi
  done
fi
if [ -z "$RELAYS" ]; then
  # Under set -e, a failed test in a command substitution would end the script: plain ifs instead.
  RELAYS="none sr-splice sr-spliceto"
  if [ "$JAVA22" != none ]; then RELAYS+=" sr-splice-1m"; fi
  RELAYS+=" sr-copy"
  if [ "$NETTY_PROXY" = 1 ]; then RELAYS+=" netty-proxy"; fi
  RELAYS+=" haproxy-splice haproxy-nosplice gorelay socat nginx"
fi

# ---------------------------------------------------------------------------------------------------------- install
install_tools() {
  local missing=0 tool
  for tool in iperf3 haproxy socat nginx go gnuplot jq; do
    command -v "$tool" >/dev/null 2>&1 || missing=1
  done
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || missing=1
  if [ "$missing" = 0 ] && [ "$FORCE_INSTALL" = 0 ]; then
    return
  fi
  log "installing iperf3 haproxy socat nginx (+ stream module) golang-go gnuplot-nox jq"
  # Keep the packages' maintainer scripts from starting system nginx/haproxy services, unless a policy exists already.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q iperf3 haproxy socat nginx libnginx-mod-stream golang-go \
    gnuplot-nox jq
  if [ "$added_policy" = 1 ]; then rm -f "$policy"; fi
}

# ------------------------------------------------------------------------------------------------------------ build
JAR=$ROOT/benchmarks/target/benchmarks.jar
GORELAY=$ROOT/benchmarks/target/gorelay
PROXY_JAR=$ROOT/examples/target/splice-proxy.jar

build() {
  if [[ " $RELAYS " == *" sr-splice-1m "* ]]; then
    # The Java 22+ pipe sizer (FFM) is only in a jar built on JDK 22+ (META-INF/versions/22).
    if ! unzip -l "$JAR" 2>/dev/null | grep -q 'META-INF/versions/22/dev/splicerelay/PipeSizer.class'; then
      log "building benchmarks.jar with $JAVA22 (multi-release, for sr-splice-1m)"
      (cd "$ROOT" && JAVA_HOME=$(dirname "$(dirname "$JAVA22")") ./mvnw -q -B -DskipTests -pl core,benchmarks package)
    fi
  elif [ ! -f "$JAR" ]; then
    log "building benchmarks.jar"
    (cd "$ROOT" && ./mvnw -q -B -DskipTests -pl core,benchmarks package)
  fi
  log "building gorelay"
  mkdir -p "$ROOT/benchmarks/target"
  (cd "$ROOT/benchmarks/peers/gorelay" && GOCACHE=$ROOT/benchmarks/target/go-cache GOFLAGS=-mod=mod go build -o "$GORELAY" .)
  if [ "$PROXY" = jar ] && [ ! -f "$PROXY_JAR" ]; then
    echo "--proxy jar: $PROXY_JAR does not exist (build examples first)" >&2
    exit 1
  fi
}

# ---------------------------------------------------------------------------------------------- processes, cleanup
WORK=$(mktemp -d /tmp/peers.XXXXXX)
declare -A RELAY_PID=()
SCRAPER_PIDS=()
IPERF_SERVER_PID=""
ECHO_PID=""

cleanup() {
  local pid
  for pid in "${RELAY_PID[@]}" "${SCRAPER_PIDS[@]}" $IPERF_SERVER_PID $ECHO_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${RELAY_PID[@]}" "${SCRAPER_PIDS[@]}" $IPERF_SERVER_PID $ECHO_PID; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

JAVA_OPTS=(-Dio.netty.leakDetection.level=disabled -Xms256m -Xmx256m)
TICKS=$(getconf CLK_TCK)

# Index of a relay in $RELAYS order fixes its ports: it listens on 20000+i and, in part 1, relays to an iperf3 server
# on 21000+i (one server per run). In part 2 every relay relays to the echo server on $ECHO_PORT.
ECHO_PORT=22000
relay_index() { local i=0 r; for r in $RELAYS; do [ "$r" = "$1" ] && { echo "$i"; return; }; i=$((i + 1)); done; }
listen_port() { if [ "$1" = none ]; then echo "$2"; else echo $((20000 + $(relay_index "$1"))); fi; }

wait_listening() { # port, pid: waits up to 15 s for a listener on 127.0.0.1:port
  local i
  for i in $(seq 1 150); do
    if ss -Hltn "sport = :$1" | grep -q .; then return 0; fi
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

haproxy_config() { # listen, target, splice(0|1)
  local splice="no option splice-auto
  no option splice-request
  no option splice-response"
  [ "$3" = 1 ] && splice="option splice-auto"
  cat <<EOF
global
  nbthread 1
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

nginx_config() { # listen, target, prefix dir
  cat <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
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

start_relay() { # name, target port
  local name=$1 target=$2 port dir
  [ "$name" = none ] && return 0
  port=$(listen_port "$name")
  dir=$WORK/$name
  rm -rf "$dir"
  mkdir -p "$dir"
  case "$name" in
    sr-splice|sr-spliceto|sr-splice-1m|sr-copy|sr-metrics)
      local mode=splice engine=io_handle java=java ops=() jvm=()
      case "$name" in
        sr-metrics)
          [ "$PROXY" = jar ] || { echo "sr-metrics needs --proxy jar" >&2; exit 2; }
          ops=(--metrics-listen "127.0.0.1:$((port + 5000))" --access-log)
          # Its log, the access log's line per relay included, to a file of its own: stop_relays greps *.log.
          jvm=(-Dorg.slf4j.simpleLogger.logFile="$dir/proxy-log.txt")
          # Scrapes as Prometheus would, only faster; stopped with the relay (see stop_relays).
          (while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:$((port + 5000))/metrics" || true; done) &
          SCRAPER_PIDS+=($!) ;;
        sr-copy) mode=copy; engine=auto ;;
        sr-spliceto) engine=splice_to ;;
        sr-splice-1m) java=$JAVA22 ;;
      esac
      if [ "$PROXY" = jar ]; then
        [ "$engine" = splice_to ] && { echo "$name needs --proxy standin: splice-proxy picks its engine itself" >&2; exit 2; }
        "$java" "${JAVA_OPTS[@]}" "${jvm[@]}" -jar "$PROXY_JAR" --listen "127.0.0.1:$port" \
          --target "127.0.0.1:$target" --mode "$mode" --transport epoll --threads 1 "${ops[@]}" >"$dir/out.log" 2>&1 &
      else
        "$java" "${JAVA_OPTS[@]}" -cp "$JAR" dev.splicerelay.benchmarks.RelayMain --listen "127.0.0.1:$port" \
          --target "127.0.0.1:$target" --mode "$mode" --engine "$engine" --transport epoll --threads 1 \
          >"$dir/out.log" 2>&1 &
      fi ;;
    netty-proxy)
      java "${JAVA_OPTS[@]}" -cp "$JAR" dev.splicerelay.benchmarks.NettyProxyMain --listen "127.0.0.1:$port" \
        --target "127.0.0.1:$target" --transport epoll --threads 1 >"$dir/out.log" 2>&1 & ;;
    haproxy-splice|haproxy-nosplice)
      local splice=0
      [ "$name" = haproxy-splice ] && splice=1
      haproxy_config "$port" "$target" "$splice" >"$dir/haproxy.cfg"
      haproxy -db -f "$dir/haproxy.cfg" >"$dir/out.log" 2>&1 & ;;
    gorelay)
      GOMAXPROCS=1 "$GORELAY" -listen "127.0.0.1:$port" -target "127.0.0.1:$target" >"$dir/out.log" 2>&1 & ;;
    socat)
      socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,backlog=4096" "TCP:127.0.0.1:$target" \
        >"$dir/out.log" 2>&1 & ;;
    nginx)
      nginx_config "$port" "$target" "$dir" >"$dir/nginx.conf"
      nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 & ;;
    *) echo "unknown relay: $name" >&2; exit 2 ;;
  esac
  RELAY_PID[$name]=$!
  if ! wait_listening "$port" "${RELAY_PID[$name]}"; then
    echo "relay $name did not start listening on $port:" >&2
    cat "$dir"/*.log >&2 || true
    exit 1
  fi
}

stop_relays() {
  local name pid
  for pid in "${SCRAPER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  SCRAPER_PIDS=()
  for name in "${!RELAY_PID[@]}"; do kill "${RELAY_PID[$name]}" 2>/dev/null || true; done
  for name in "${!RELAY_PID[@]}"; do wait "${RELAY_PID[$name]}" 2>/dev/null || true; done
  for name in "${!RELAY_PID[@]}"; do
    # iperf3 ends a test by closing its data connections with bytes still in flight, so a relay may log a broken
    # pipe or reset at the end of each run (splice-relay: a relay that ended ERROR/RESET); anything else is news.
    if grep -qiE 'failure|exception|error|alert' "$WORK/$name"/*.log 2>/dev/null; then
      log "$name logged (first lines; see the comment in stop_relays):"
      grep -hiE 'failure|exception|error|alert' "$WORK/$name"/*.log | head -3 | cut -c1-240 >&2
    fi
  done
  RELAY_PID=()
}

start_iperf_server() { # port
  iperf3 -s -1 -B 127.0.0.1 -p "$1" >/dev/null 2>&1 &
  IPERF_SERVER_PID=$!
  wait_listening "$1" "$IPERF_SERVER_PID" || { echo "iperf3 server did not start on $1" >&2; exit 1; }
}

wait_iperf_server() {
  wait "$IPERF_SERVER_PID" 2>/dev/null || true
  IPERF_SERVER_PID=""
}

relay_alive() { [ "$1" = none ] || kill -0 "${RELAY_PID[$1]}" 2>/dev/null; }

# CPU ticks (user+system) of a process, its reaped children and all its live descendants.
tree_ticks() {
  local root=$1
  awk -v root="$root" '
    { line = $0; sub(/^[0-9]+ \(.*\) /, "", line); split(line, f, " ")
      pid = $1; ppid[pid] = f[2]; own[pid] = f[12] + f[13]; reaped[pid] = f[14] + f[15] }
    END {
      total = own[root] + reaped[root]
      for (p in own) { q = p; while (q in ppid && q != root && q > 1) q = ppid[q]; if (q == root && p != root) total += own[p] }
      print total
    }' < <(cat /proc/[0-9]*/stat 2>/dev/null)
}

# ------------------------------------------------------------------------------------------------ part 1: iperf3
SCENARIOS="P1-fwd P1-rev P4-fwd P4-rev"

iperf_run() { # relay, scenario, round -> appends a CSV line
  local name=$1 scenario=$2 round=$3 idx sport lport streams=1 reverse="" out c0 c1 rc=0
  idx=$(relay_index "$name")
  sport=$((21000 + idx))
  lport=$(listen_port "$name" "$sport")
  [[ $scenario == P4-* ]] && streams=4
  [[ $scenario == *-rev ]] && reverse=-R
  start_iperf_server "$sport"
  if [ "$name" != none ]; then c0=$(tree_ticks "${RELAY_PID[$name]}"); fi
  out=$WORK/iperf.json
  timeout $((SECONDS_PER_RUN + 30)) iperf3 -c 127.0.0.1 -p "$lport" -t "$SECONDS_PER_RUN" -P "$streams" $reverse -J \
    >"$out" 2>&1 || rc=$?
  wait_iperf_server
  sleep 0.3 # let socat's per-connection children exit and be reaped into its cutime
  local gbps="" bytes="" cpu="" cpu_per_gb="" status=ok
  if [ "$rc" = 0 ] && jq -e '.end.sum_received.bytes' "$out" >/dev/null 2>&1; then
    bytes=$(jq -r '.end.sum_received.bytes' "$out")
    gbps=$(jq -r '.end.sum_received.bits_per_second / 1e9' "$out")
  else
    status="iperf3-failed:$(jq -r '.error // empty' "$out" 2>/dev/null | tr ', ' '; ' | head -c 80)"
  fi
  if ! relay_alive "$name"; then status="relay-died"; fi
  if [ "$name" != none ] && [ -n "$bytes" ]; then
    c1=$(tree_ticks "${RELAY_PID[$name]}")
    cpu=$(awk -v a="$c0" -v b="$c1" -v t="$TICKS" 'BEGIN { printf "%.3f", (b - a) / t }')
    cpu_per_gb=$(awk -v c="$cpu" -v n="$bytes" 'BEGIN { printf "%.4f", c / (n / 1e9) }')
  fi
  echo "$RUN_DATE,$round,$scenario,$name,$gbps,$bytes,$cpu,$cpu_per_gb,$status" >>"$CSV"
  log "round $round $scenario $name: ${gbps:-?} Gbit/s, relay CPU ${cpu_per_gb:-n/a} s/GB ($status)"
}

# ------------------------------------------------------------------------------------- part 2: latency and churn
ping_client() { # relay, test -> PingClient's output
  timeout $((LATENCY_SECONDS + 60)) java -Xms128m -Xmx128m -cp "$JAR" dev.splicerelay.benchmarks.PingClient \
    --target "127.0.0.1:$(listen_port "$1" "$ECHO_PORT")" --test "$2" --seconds "$LATENCY_SECONDS" --warmup 1
}

ping_run() { # relay, test, round
  local name=$1 test=$2 round=$3 out value="" status=ok
  if out=$(ping_client "$name" "$test" 2>&1); then
    case "$test" in
      latency) value=$(sed -n 's/.*latency_us_median=\([0-9.]*\).*/\1/p' <<<"$out") ;;
      churn) value=$(sed -n 's/.*churn_per_s=\([0-9.]*\).*/\1/p' <<<"$out") ;;
    esac
  else
    status="client-failed:$(tail -1 <<<"$out" | tr ',' ';' | head -c 100)"
  fi
  relay_alive "$name" || status="relay-died"
  echo "$RUN_DATE,$round,$test,$name,$value,,,,$status" >>"$CSV"
  log "round $round $test $name: ${value:-?} ($status)"
}

# ------------------------------------------------------------------------------------------------------ summary
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_values() { # test/scenario, relay, column -> values of ok rows
  awk -F, -v s="$1" -v r="$2" -v c="$3" '$3 == s && $4 == r && $9 == "ok" && $c != "" { print $c }' "$CSV"
}

summarize() {
  local scenario name gbps base cpu ratio
  {
    echo "# peers.sh results $RUN_DATE"
    echo
    echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
      "$(java -version 2>&1 | head -1). splice-relay: $([ "$PROXY" = jar ] && echo "examples/target/splice-proxy.jar" || echo "stand-in RelayMain (benchmarks.jar)")."
    echo "Medians of $ROUNDS interleaved rounds, iperf3 -t $SECONDS_PER_RUN; ratio = relay / no relay in the same column."
    echo
    echo "| relay | $(for s in $SCENARIOS; do printf '%s Gbit/s (ratio) | ' "$s"; done)$(for s in $SCENARIOS; do printf '%s CPU s/GB | ' "$s"; done)"
    echo "|---|$(for s in $SCENARIOS; do printf -- '---|---|'; done)"
    for name in $RELAYS; do
      printf '| %s |' "$name"
      for scenario in $SCENARIOS; do
        gbps=$(column_values "$scenario" "$name" 5 | median)
        base=$(column_values "$scenario" none 5 | median)
        ratio=$(awk -v a="$gbps" -v b="$base" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }')
        printf ' %s (%s) |' "$(awk -v a="$gbps" 'BEGIN { if (a == "") print "-"; else printf "%.2f", a }')" "$ratio"
      done
      for scenario in $SCENARIOS; do
        cpu=$(column_values "$scenario" "$name" 8 | median)
        printf ' %s |' "$(awk -v a="$cpu" 'BEGIN { if (a == "") print "-"; else printf "%.3f", a }')"
      done
      echo
    done
    if [ "$DO_LATENCY" = 1 ]; then
      echo
      echo "64-byte request/echo through each relay to a Netty echo server (PingClient, -l $LATENCY_SECONDS s per run):"
      echo
      echo "| relay | latency median µs | overhead vs none µs | churn conn/s | churn ratio |"
      echo "|---|---|---|---|---|"
      local lat lat0 churn churn0
      lat0=$(column_values latency none 5 | median)
      churn0=$(column_values churn none 5 | median)
      for name in $RELAYS; do
        lat=$(column_values latency "$name" 5 | median)
        churn=$(column_values churn "$name" 5 | median)
        awk -v n="$name" -v l="$lat" -v l0="$lat0" -v c="$churn" -v c0="$churn0" 'BEGIN {
          printf "| %s | %s | %s | %s | %s |\n", n, (l == "" ? "-" : sprintf("%.1f", l)),
            (l == "" || l0 == "" ? "-" : sprintf("%+.1f", l - l0)), (c == "" ? "-" : sprintf("%.0f", c)),
            (c == "" || c0 == "" || c0 == 0 ? "-" : sprintf("%.2f", c / c0)) }'
      done
    fi
    local failures
    failures=$(awk -F, 'NR > 1 && $9 != "ok"' "$CSV" | wc -l)
    echo
    echo "Runs that failed (excluded from the medians): $failures$( [ "$failures" != 0 ] && echo ", see the CSV's status column")."
  } >"$SUMMARY"
}

chart() {
  local data=$WORK/chart.dat cpu_data=$WORK/chart-cpu.dat scenario name
  {
    printf 'scenario'; for name in $RELAYS; do printf ' %s' "$name"; done; echo
    for scenario in $SCENARIOS; do
      printf '%s' "$scenario"
      for name in $RELAYS; do v=$(column_values "$scenario" "$name" 5 | median); printf ' %s' "${v:-0}"; done
      echo
    done
  } >"$data"
  {
    printf 'scenario'; for name in $RELAYS; do [ "$name" = none ] || printf ' %s' "$name"; done; echo
    for scenario in $SCENARIOS; do
      printf '%s' "$scenario"
      for name in $RELAYS; do
        [ "$name" = none ] && continue
        v=$(column_values "$scenario" "$name" 8 | median); printf ' %s' "${v:-0}"
      done
      echo
    done
  } >"$cpu_data"
  local n
  n=$(wc -w <<<"$RELAYS")
  gnuplot <<EOF
set terminal pngcairo size 1400,1000 font "sans,11"
set output "$PNG"
set multiplot layout 2,1 title "TCP relays on 127.0.0.1, iperf3 -t $SECONDS_PER_RUN, medians of $ROUNDS rounds ($RUN_DATE)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
# Up to twelve relays get distinct colours; gnuplot's default cycle repeats after eight.
$(i=1; for c in 9400d3 009e73 56b4e9 e69f00 f0e442 0072b2 e51e10 000000 cc79a7 8c564b 7f7f7f bcbd22; do
    echo "set linetype $i lc rgb \"#$c\""; i=$((i + 1)); done)
set key outside right top vertical
set grid ytics
set yrange [0:*]
set ylabel "Gbit/s (higher is better)"
plot for [i=2:$((n + 1))] "$data" using i:xtic(1) title columnheader
set ylabel "relay CPU s per GB (lower is better)"
plot for [i=2:$n] "$cpu_data" using i:xtic(1) title columnheader linetype i
unset multiplot
EOF
}

# ------------------------------------------------------------------------------------------------------------ main
install_tools
build
RUN_DATE=$(date +%Y-%m-%dT%H:%M:%S)
mkdir -p "$ROOT/benchmarks/results"
STAMP=$(date +%Y%m%d-%H%M%S)
CSV=$ROOT/benchmarks/results/peers-$STAMP.csv
SUMMARY=$ROOT/benchmarks/results/peers-$STAMP-summary.md
PNG=$ROOT/benchmarks/results/peers.png
echo "date,round,scenario,relay,value,bytes,relay_cpu_s,relay_cpu_s_per_gb,status" >"$CSV"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg); results: $CSV"

log "part 1: iperf3 through: $RELAYS"
for name in $RELAYS; do start_relay "$name" $((21000 + $(relay_index "$name"))); done
# One short unrecorded run per relay first: JIT warm-up for the JVM relays, page cache for everyone.
for name in $RELAYS; do
  sport=$((21000 + $(relay_index "$name")))
  start_iperf_server "$sport"
  timeout 30 iperf3 -c 127.0.0.1 -p "$(listen_port "$name" "$sport")" -t 1 -P 4 >/dev/null 2>&1 || true
  wait_iperf_server
done
for round in $(seq 1 "$ROUNDS"); do
  for scenario in $SCENARIOS; do
    for name in $RELAYS; do iperf_run "$name" "$scenario" "$round"; done
  done
done
stop_relays

if [ "$DO_LATENCY" = 1 ]; then
  log "part 2: 64-byte latency and churn through: $RELAYS"
  java -Xms128m -Xmx128m -cp "$JAR" dev.splicerelay.benchmarks.EchoMain --listen "127.0.0.1:$ECHO_PORT" \
    >"$WORK/echo.log" 2>&1 &
  ECHO_PID=$!
  wait_listening "$ECHO_PORT" "$ECHO_PID"
  for name in $RELAYS; do start_relay "$name" "$ECHO_PORT"; done
  # As in part 1, one unrecorded run per relay first: the JVM relays compile their accept, connect and close paths
  # here (part 1 never opened many connections), not during the recorded rounds.
  for name in $RELAYS; do ping_client "$name" churn >/dev/null 2>&1 || true; done
  for round in $(seq 1 "$ROUNDS"); do
    for test in latency churn; do
      for name in $RELAYS; do ping_run "$name" "$test" "$round"; done
    done
  done
  stop_relays
fi

summarize
chart
cat "$SUMMARY"
log "wrote $CSV, $SUMMARY and $PNG"
