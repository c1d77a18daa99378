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

# Compares splice-relay with other TCP relays on 127.0.0.1, interleaved (each round in its own order), medians of N rounds,
# at equal threads: a 1-thread table (HAProxy nbthread 1, Go GOMAXPROCS=1, splice-proxy --threads 1, nginx 1 worker)
# and an all-cores table (nproc of each). Scenarios:
#   P1-fwd P1-rev P4-fwd P4-rev  iperf3, 1 or 4 streams, each direction: Gbit/s and relay CPU s per GB;
#   ab          ab -c 32, a new connection per request, 4 KiB from nginx (HTTP/1.1): requests/s, relay CPU per request;
#   redis-P1 redis-P16  redis-benchmark -t set -c 50, pipeline 1 and 16, against redis-server;
#   h2load      h2load -c 16 -m 16, 4 KiB files from nginx over HTTP/2 (h2c);
#   latency     64-byte request/echo round trip (PingClient, the JMH benchmarks' client) against a Netty echo server.
# One connection runs on one thread in every relay here, so P1-* and latency run in the 1-thread table only.
# Before the rounds: a splice check (strace -c on every relay while 32 MiB pass each way: it prints each relay's
# splice calls and fails the run if one that claims to splice made none), and per relay an unrecorded warm-up run of
# each client. Relay CPU is utime+stime of the relay's process tree (/proc/PID/stat) around each run.
# Relays: none, sr-splice (splice-proxy --mode splice, own engine), sr-splice-1m (the same on Java 22+, 1 MiB pipes;
# only if such a JDK is found), sr-copy (--mode copy), haproxy-splice (forced: splice-request and splice-response),
# haproxy-nosplice, gorelay (benchmarks/peers/gorelay), nginx (stream), socat (one process per connection, so in the
# all-cores table). Also available: sr-spliceto (Netty's spliceTo), netty-proxy (a bare Netty relay, NettyProxyMain),
# netty-raw (a relay on Netty's event loop without channels, RawRelayMain), sr-server and sr-server-copy
# (SpliceRelayServer, splice-relay without a Netty channel per connection, splicing or copying; RelayServerMain),
# sr-metrics (sr-splice with --metrics-listen, scraped each second, and --access-log: the cost of counting; --proxy jar),
# sr-splice-base and sr-copy-base (sr-splice and sr-copy from the --baseline jar: a change side by side).
# Writes benchmarks/results/peers-DATE.csv (every run), peers-DATE-summary.md, peers.png (throughput) and
# peers-requests.png (request rates).
#
# Usage: benchmarks/peers.sh [-t SECONDS] [-q SECONDS] [-l SECONDS] [-r ROUNDS] [--relays "..."] [--threads "1 2"]
#                            [--scenarios "..."] [--proxy jar|standin] [--java22 PATH|none] [--no-splice-check]
#                            [--install] [--netty-proxy] [--netty-raw] [--baseline JAR] [--charts CSV]
#   -t  seconds per iperf3 run (default 3)       -q  request scenarios' size in seconds (default 2: ab -t 2,
#   -l  seconds per latency run (default 2)          redis 30k x q (P1) / 500k x q (P16) requests, h2load 40k x q)
#   -r  rounds (default 5)                       --threads  thread counts, one table each (default "1 $(nproc)")
#   --relays  relay names (default above)        --scenarios  scenario names (default: all of the above)
#   --proxy jar (default): examples/target/splice-proxy.jar, as users run it (--status-interval 0, otherwise its
#           defaults); standin: dev.splicerelay.benchmarks.RelayMain from benchmarks.jar (the public API, nothing else).
#   --java22 PATH  the java (22+) that runs sr-splice-1m (default: the first under /usr/lib/jvm; none: leave it out).
#   --no-splice-check  skip the splice check      --install  run apt-get even if every tool is already there.
#   --netty-proxy, --netty-raw  add netty-proxy or netty-raw to the default relays.
#   --baseline JAR  a splice-proxy.jar built from another commit, for sr-splice-base and sr-copy-base (--proxy jar).
#   --charts CSV  run nothing: draw peers.png and peers-requests.png again from an earlier run's CSV (give the options
#           that run had: -r, --relays, --threads, --scenarios).
# Quick looks: --relays "none sr-splice haproxy-splice" --scenarios "ab redis-P16" -r 1 -q 1 --threads 1
# Runtime with the defaults: 34 minutes on 2 vCPUs (run N, 2026-12-07), + installs and the Maven build on a fresh machine.
set -euo pipefail

# shellcheck source=peers/lib.sh
source "$(dirname "$0")/peers/lib.sh"

IPERF_SECONDS=3
REQUEST_SECONDS=2
LATENCY_SECONDS=2
ROUNDS=5
THREADS="1 $(nproc)"
ALL_SCENARIOS="P1-fwd P1-rev P4-fwd P4-rev ab redis-P1 redis-P16 h2load latency"
SCENARIOS=$ALL_SCENARIOS
PROXY=jar
FORCE_INSTALL=0
RELAYS=""
JAVA22=auto
NETTY_PROXY=0
NETTY_RAW=0
SPLICE_CHECK=1
CHARTS_FROM=""

while [ $# -gt 0 ]; do
  case "$1" in
    -t) IPERF_SECONDS=$2; shift 2 ;;
    -q) REQUEST_SECONDS=$2; shift 2 ;;
    -l) LATENCY_SECONDS=$2; shift 2 ;;
    -r) ROUNDS=$2; shift 2 ;;
    --relays) RELAYS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --proxy) PROXY=$2; shift 2 ;;
    --java22) JAVA22=$2; shift 2 ;;
    --no-splice-check) SPLICE_CHECK=0; shift ;;
    --install) FORCE_INSTALL=1; shift ;;
    --netty-proxy) NETTY_PROXY=1; shift ;;
    --netty-raw) NETTY_RAW=1; shift ;;
    --baseline) BASELINE_JAR=$2; shift 2 ;;
    --charts) CHARTS_FROM=$2; shift 2 ;;
    -h|--help) usage "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage "$0" >&2; exit 2 ;;
  esac
done
for scenario in $SCENARIOS; do
  [[ " $ALL_SCENARIOS " == *" $scenario "* ]] || { echo "unknown scenario: $scenario (see --help)" >&2; exit 2; }
done
case "$PROXY" in jar|standin) ;; *) echo "--proxy expects jar or standin" >&2; exit 2 ;; esac
for t in $THREADS; do [[ $t =~ ^[1-9][0-9]*$ ]] || { echo "--threads expects positive numbers" >&2; exit 2; }; done
THREADS=$(tr ' ' '\n' <<<"$THREADS" | grep . | sort -n -u | tr '\n' ' ')
MIN_THREADS=$(awk '{ print $1 }' <<<"$THREADS")
MAX_THREADS=$(awk '{ print $NF }' <<<"$THREADS")

[ "$JAVA22" = auto ] && JAVA22=$(find_java22)
if [ -z "$RELAYS" ]; then
  RELAYS="none sr-splice"
  if [ "$JAVA22" != none ]; then RELAYS+=" sr-splice-1m"; fi
  RELAYS+=" sr-copy"
  if [ "$NETTY_PROXY" = 1 ]; then RELAYS+=" netty-proxy"; fi
  if [ "$NETTY_RAW" = 1 ]; then RELAYS+=" netty-raw"; fi
  RELAYS+=" haproxy-splice haproxy-nosplice gorelay nginx socat"
fi
if has_relay sr-splice-1m && [ "$JAVA22" = none ]; then echo "sr-splice-1m needs --java22 PATH" >&2; exit 2; fi
check_baseline

# Every relay at every thread count; none and socat once.
CONFIGS=""
for name in $RELAYS; do case "$name" in none|socat) CONFIGS+=" $name" ;; esac; done
for t in $THREADS; do
  for name in $RELAYS; do case "$name" in none|socat) ;; *) CONFIGS+=" $name@$t" ;; esac; done
done
CONFIGS=${CONFIGS# }

# The table (thread count) a config belongs to: socat forks a process per connection, so it is the all-cores relay.
config_table() {
  case "$1" in none) echo all ;; socat) echo "$MAX_THREADS" ;; *) config_threads "$1" ;; esac
}
single_connection() { case "$1" in P1-*|latency) return 0 ;; esac; return 1; }
selected() { [[ " $SCENARIOS " == *" $1 "* ]]; }
runs_scenario() { # config, scenario
  local table
  table=$(config_table "$1")
  single_connection "$2" || return 0
  [ "$table" = all ] || [ "$table" = "$MIN_THREADS" ]
}

WORK=$(mktemp -d /tmp/peers.XXXXXX)
trap peers_cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------------------------ recording
record() { # round, config, scenario, value, unit, amount, cpu s, cpu per unit, status
  local threads
  threads=$(config_threads "$2")
  [ "$2" = socat ] && threads=fork
  echo "$RUN_DATE,$1,$threads,$3,$(config_name "$2"),$4,$5,$6,$7,$8,$9" >>"$CSV"
  log "round $1 $3 $2: ${4:-?} $5, relay CPU ${8:-n/a} ($9)"
}

iperf_run() { # config, scenario, round
  local config=$1 scenario=$2 round=$3 sport lport streams=1 reverse="" out c0 rc=0
  sport=$((21000 + $(config_index "$config")))
  lport=$(listen_port "$config" "$sport")
  [[ $scenario == P4-* ]] && streams=4
  [[ $scenario == *-rev ]] && reverse=-R
  start_iperf_server "$sport"
  c0=$(relay_ticks "$config")
  out=$WORK/iperf.json
  timeout $((IPERF_SECONDS + 30)) iperf3 -c 127.0.0.1 -p "$lport" -t "$IPERF_SECONDS" -P "$streams" $reverse -J \
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
  relay_alive "$config" || status=relay-died
  if [ "$config" != none ] && [ -n "$bytes" ]; then
    cpu=$(ticks_to_s "$c0" "$(relay_ticks "$config")")
    cpu_per_gb=$(awk -v c="$cpu" -v n="$bytes" 'BEGIN { printf "%.4f", c / (n / 1e9) }')
  fi
  record "$round" "$config" "$scenario" "$gbps" Gbit/s "$bytes" "$cpu" "$cpu_per_gb" "$status"
}

request_run() { # config, scenario, round, backend port
  local config=$1 scenario=$2 round=$3 c0 rate count status cpu="" cpu_per=""
  c0=$(relay_ticks "$config")
  read -r rate count status < <(request_client "$scenario" "$(listen_port "$config" "$4")" 1)
  sleep 0.2 # as for iperf3: socat's children
  relay_alive "$config" || status=relay-died
  if [ "$config" != none ] && [ -n "$count" ] && [ "$count" -gt 0 ] 2>/dev/null; then
    cpu=$(ticks_to_s "$c0" "$(relay_ticks "$config")")
    cpu_per=$(awk -v c="$cpu" -v n="$count" 'BEGIN { printf "%.2f", c * 1e6 / n }')
  fi
  record "$round" "$config" "$scenario" "$rate" req/s "$count" "$cpu" "$cpu_per" "$status"
}

latency_run() { # config, round
  local out value="" status=ok
  if out=$(timeout $((LATENCY_SECONDS + 60)) java -Xms128m -Xmx128m -cp "$JAR" dev.splicerelay.benchmarks.PingClient \
      --target "127.0.0.1:$(listen_port "$1" "$ECHO_PORT")" --test latency --seconds "$LATENCY_SECONDS" --warmup 1 2>&1); then
    value=$(sed -n 's/.*latency_us_median=\([0-9.]*\).*/\1/p' <<<"$out")
  else
    status="client-failed:$(tail -1 <<<"$out" | tr ',' ';' | head -c 100)"
  fi
  relay_alive "$1" || status=relay-died
  record "$2" "$1" latency "$value" µs "" "" "" "$status"
}

# ----------------------------------------------------------------------------------------------------- splice check
# Every relay (at its smallest thread count) under strace -c while iperf3 sends 32 MiB each way through it. Prints
# splice calls and read/write-family calls per direction; a relay that claims to splice and made no splice call in a
# direction fails the run, since its row would compare us with a copying relay under a splicing name.
splice_check() {
  local name config dir sport lport out failed=0 line
  SPLICE_CHECK_TABLE="| relay | splice calls → | read/write calls → | splice calls ← | read/write calls ← | claims to splice |
|---|---|---|---|---|---|"
  for name in $RELAYS; do
    [ "$name" = none ] && continue
    config=$name
    [ "$name" = socat ] || config=$name@$MIN_THREADS
    sport=$((21000 + $(config_index "$config")))
    start_relay "$config" "$sport"
    line="| $name |"
    for dir in fwd rev; do
      out=$WORK/strace-$name-$dir.txt
      start_iperf_server "$sport"
      strace_start "${RELAY_PID[$config]}" "$out" -c -qq
      lport=$(listen_port "$config")
      timeout 60 iperf3 -c 127.0.0.1 -p "$lport" -n 32M $([ "$dir" = rev ] && echo -R) >/dev/null 2>&1 \
        || log "splice check: iperf3 through $name failed"
      wait_iperf_server
      strace_stop
      local splices rw=0 call
      splices=$(strace_calls "$out" splice)
      for call in read write readv writev recvfrom sendto recvmsg sendmsg; do rw=$((rw + $(strace_calls "$out" "$call"))); done
      line+=" $splices | $rw |"
      if claims_splice "$config" && [ "$splices" = 0 ]; then
        log "splice check: $name claims to splice but made no splice call ($dir, 32 MiB)"
        failed=1
      fi
    done
    line+=" $(claims_splice "$config" && echo yes || echo no) |"
    SPLICE_CHECK_TABLE+=$'\n'"$line"
    log "splice check: $line"
    stop_relays
  done
  if [ "$failed" = 1 ]; then
    printf '%s\n' "$SPLICE_CHECK_TABLE" >&2
    echo "splice check failed: a relay that claims to splice made no splice call (see above)" >&2
    exit 1
  fi
}

# ----------------------------------------------------------------------------------------------------------- phases
# A phase starts every relay that runs one of its scenarios against one backend, gives each an unrecorded warm-up,
# then runs its scenarios in interleaved rounds and stops the relays.
phase_configs() { # scenarios... -> configs that run at least one of them
  local config scenario out=""
  for config in $CONFIGS; do
    for scenario in "$@"; do
      if runs_scenario "$config" "$scenario"; then out+=" $config"; break; fi
    done
  done
  echo "$out"
}

# The relays of a round in a random order of its own, seeded by the run's date, phase and round: in one fixed order
# each relay ran after the same one in every round and carried what that one left behind into all its results
# (sr-splice ran right after socat's thousands of forked connections).
round_order() { # phase, round, configs...
  local seed
  seed=$((16#$(sha256sum <<<"$RUN_DATE $1 $2" | head -c 7)))
  shift 2
  printf '%s\n' "$@" | awk -v seed="$seed" 'BEGIN { srand(seed) } { print rand(), $0 }' | sort -g | cut -d' ' -f2- \
    | tr '\n' ' ' | sed 's/ $//'
}

run_phase() { # phase (iperf|http|h2|redis|echo), scenarios of the phase...
  local phase=$1 scenario config round active=() configs target order
  shift
  for scenario in "$@"; do selected "$scenario" && active+=("$scenario"); done
  [ "${#active[@]}" = 0 ] && return 0
  configs=$(phase_configs "${active[@]}")
  log "phase $phase (${active[*]}) through:$configs"
  for config in $configs; do
    case "$phase" in
      iperf) target=$((21000 + $(config_index "$config"))) ;;
      http) target=$HTTP_PORT ;;
      h2) target=$H2_PORT ;;
      redis) target=$REDIS_PORT ;;
      echo) target=$ECHO_PORT ;;
    esac
    start_relay "$config" "$target"
  done
  # Warm-up: JIT compilation for the JVM relays (of the paths this phase uses), page cache and pools for everyone.
  for config in $configs; do
    case "$phase" in
      iperf)
        target=$((21000 + $(config_index "$config")))
        start_iperf_server "$target"
        timeout 30 iperf3 -c 127.0.0.1 -p "$(listen_port "$config" "$target")" -t 1 -P 4 >/dev/null 2>&1 || true
        wait_iperf_server ;;
      http) warm_up "$config" ab "$HTTP_PORT" ;;
      h2) warm_up "$config" h2load "$H2_PORT" ;;
      redis) warm_up "$config" redis-P16 "$REDIS_PORT"; warm_up "$config" redis-P1 "$REDIS_PORT" ;;
      echo) ;; # PingClient warms up for 1 s in every run
    esac
  done
  for round in $(seq 1 "$ROUNDS"); do
    order=$(round_order "$phase" "$round" $configs)
    log "phase $phase round $round order: $order"
    for scenario in "${active[@]}"; do
      for config in $order; do
        runs_scenario "$config" "$scenario" || continue
        case "$phase" in
          iperf) iperf_run "$config" "$scenario" "$round" ;;
          http) request_run "$config" "$scenario" "$round" "$HTTP_PORT" ;;
          h2) request_run "$config" "$scenario" "$round" "$H2_PORT" ;;
          redis) request_run "$config" "$scenario" "$round" "$REDIS_PORT" ;;
          echo) latency_run "$config" "$round" ;;
        esac
      done
    done
  done
  stop_relays
}

# ------------------------------------------------------------------------------------------------------ summary
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_values() { # scenario, relay name, threads, column -> values of ok rows
  awk -F, -v s="$1" -v r="$2" -v t="$3" -v c="$4" '$4 == s && $5 == r && $3 == t && $11 == "ok" && $c != "" { print $c }' "$CSV"
}
config_key() { # config -> "name threads" as in the CSV
  case "$1" in none) echo "none -" ;; socat) echo "socat fork" ;; *) echo "$(config_name "$1") $(config_threads "$1")" ;; esac
}
med() { # scenario, config, column
  local key
  key=$(config_key "$2")
  # shellcheck disable=SC2086
  column_values "$1" $key "$3" | median
}
fmt() { awk -v a="$1" -v f="$2" 'BEGIN { if (a == "") print "-"; else printf f, a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }

table_configs() { # table's thread count -> its configs, none first
  local config out="none"
  for config in $CONFIGS; do
    [ "$config" = none ] && continue
    [ "$(config_table "$config")" = "$1" ] && out+=" $config"
  done
  echo "$out"
}
table_scenarios() { # thread count, kind (iperf|requests) -> selected scenarios run in that table
  local scenario out=""
  for scenario in $SCENARIOS; do
    case "$2:$scenario" in iperf:P*|requests:ab|requests:redis-*|requests:h2load|requests:latency) ;; *) continue ;; esac
    if ! single_connection "$scenario" || [ "$1" = "$MIN_THREADS" ]; then out+=" $scenario"; fi
  done
  echo "$out"
}

summarize() {
  local t config scenario v base cpu iperf requests peer
  {
    echo "# peers.sh results $RUN_DATE"
    echo
    echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
      "$(java -version 2>&1 | head -1)$([ "$JAVA22" != none ] && echo ", sr-splice-1m on $("$JAVA22" -version 2>&1 | head -1)")." \
      "HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }'), nginx $(nginx -v 2>&1 | sed 's|.*/||'), $(go version | awk '{ print $3 }')," \
      "iperf3 $(iperf3 --version | awk 'NR == 1 { print $2 }'), redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')," \
      "h2load $(h2load --version | awk '{ print $2 }')."
    echo "splice-relay: $([ "$PROXY" = jar ] && echo "examples/target/splice-proxy.jar" || echo "stand-in RelayMain (benchmarks.jar)"), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')."
    if [ -n "$BASELINE_JAR" ]; then echo "sr-splice-base and sr-copy-base: $BASELINE_JAR."; fi
    echo "Medians of $ROUNDS interleaved rounds; iperf3 -t $IPERF_SECONDS, request scenarios -q $REQUEST_SECONDS, latency -l $LATENCY_SECONDS."
    echo "Load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg). Took $(((SECONDS - STARTED) / 60)) min $(((SECONDS - STARTED) % 60)) s."
    if [ -n "${SPLICE_CHECK_TABLE:-}" ]; then
      echo
      echo "Splice check (strace -c while 32 MiB pass each way; → client to server, ← back):"
      echo
      echo "$SPLICE_CHECK_TABLE"
    fi
    for t in $THREADS; do
      echo
      echo "## $t thread(s) per relay$([ "$t" = "$MAX_THREADS" ] && has_relay socat && echo "; socat forks a process per connection")"
      iperf=$(table_scenarios "$t" iperf)
      requests=$(table_scenarios "$t" requests)
      if [ -n "$iperf" ]; then
        echo
        echo "Throughput, Gbit/s (ratio to none) and relay CPU s/GB:"
        echo
        echo "| relay |$(for s in $iperf; do printf ' %s |' "$s"; done)$(for s in $iperf; do printf ' %s CPU s/GB |' "$s"; done)"
        echo "|---|$(for s in $iperf; do printf -- '---|---|'; done)"
        for config in $(table_configs "$t"); do
          printf '| %s |' "$config"
          for scenario in $iperf; do
            v=$(med "$scenario" "$config" 6); base=$(med "$scenario" none 6)
            printf ' %s (%s) |' "$(fmt "$v" %.2f)" "$(ratio "$v" "$base")"
          done
          for scenario in $iperf; do printf ' %s |' "$(fmt "$(med "$scenario" "$config" 10)" %.3f)"; done
          echo
        done
      fi
      if [ -n "$requests" ]; then
        echo
        echo "Requests/s (ratio to none) and relay CPU µs per request; latency: median µs (overhead over none):"
        echo
        echo "| relay |$(for s in $requests; do [ "$s" = latency ] && printf ' latency µs |' || printf ' %s req/s |' "$s"; done)$(for s in $requests; do [ "$s" = latency ] || printf ' %s CPU µs/req |' "$s"; done)"
        echo "|---|$(for s in $requests; do printf -- '---|'; [ "$s" = latency ] || printf -- '---|'; done)"
        for config in $(table_configs "$t"); do
          printf '| %s |' "$config"
          for scenario in $requests; do
            v=$(med "$scenario" "$config" 6); base=$(med "$scenario" none 6)
            if [ "$scenario" = latency ]; then
              printf ' %s (%s) |' "$(fmt "$v" %.1f)" "$(awk -v a="$v" -v b="$base" 'BEGIN { if (a == "" || b == "") print "-"; else printf "%+.1f", a - b }')"
            else
              printf ' %s (%s) |' "$(fmt "$v" %.0f)" "$(ratio "$v" "$base")"
            fi
          done
          for scenario in $requests; do [ "$scenario" = latency ] || printf ' %s |' "$(fmt "$(med "$scenario" "$config" 10)" %.2f)"; done
          echo
        done
      fi
      # splice-relay against HAProxy in the same table: the issue's yardstick.
      for peer in haproxy-splice haproxy-nosplice; do
        has_relay "$peer" || continue
        echo
        echo "splice-relay / $peer@$t: value ratio (CPU per unit ratio); latency: difference in µs:"
        echo
        echo "| relay |$(for s in $iperf $requests; do printf ' %s |' "$s"; done)"
        echo "|---|$(for s in $iperf $requests; do printf -- '---|'; done)"
        for config in $(table_configs "$t"); do
          [[ $config == sr-* ]] || continue
          printf '| %s |' "$config"
          for scenario in $iperf $requests; do
            v=$(med "$scenario" "$config" 6); base=$(med "$scenario" "$peer@$t" 6)
            if [ "$scenario" = latency ]; then
              printf ' %s |' "$(awk -v a="$v" -v b="$base" 'BEGIN { if (a == "" || b == "") print "-"; else printf "%+.1f", a - b }')"
            else
              printf ' %s (%s) |' "$(ratio "$v" "$base")" "$(ratio "$(med "$scenario" "$config" 10)" "$(med "$scenario" "$peer@$t" 10)")"
            fi
          done
          echo
        done
      done
    done
    local failures
    failures=$(awk -F, 'NR > 1 && $11 != "ok"' "$CSV" | wc -l)
    echo
    echo "Runs that failed (excluded from the medians): $failures$( [ "$failures" != 0 ] && echo ", see the CSV's status column")."
  } >"$SUMMARY"
}

# ------------------------------------------------------------------------------------------------------------ charts
# One column of panels per thread count; a relay keeps its colour (its place in $RELAYS) in every panel.
RELAY_COLOURS="9400d3 009e73 56b4e9 e69f00 f0e442 0072b2 e51e10 000000 cc79a7 8c564b 7f7f7f bcbd22"
relay_linetype() { local i=1 r; for r in $RELAYS; do [ "$r" = "$1" ] && { echo "$i"; return; }; i=$((i + 1)); done; }

chart_panel() { # data file, thread count, title, ylabel, column (6 value, 10 cpu), ratio(0|1), scenarios...
  local data=$1 t=$2 title=$3 ylabel=$4 column=$5 as_ratio=$6 scenario config v base i=2 plot=""
  shift 6
  local configs
  configs=$(table_configs "$t")
  [ "$column" = 10 ] || [ "$as_ratio" = 1 ] && configs=${configs#none }
  {
    printf 'scenario'; for config in $configs; do printf ' %s' "$config"; done; echo
    for scenario in "$@"; do
      printf '%s' "$scenario"
      for config in $configs; do
        v=$(med "$scenario" "$config" "$column")
        if [ "$as_ratio" = 1 ]; then base=$(med "$scenario" none "$column"); v=$(ratio "$v" "$base"); fi
        [ -z "$v" ] || [ "$v" = - ] && v=NaN
        printf ' %s' "$v"
      done
      echo
    done
  } >"$data"
  for config in $configs; do
    plot+="${plot:+, }\"$data\" using $i$([ "$i" = 2 ] && echo ':xtic(1)') title columnheader linetype $(relay_linetype "$(config_name "$config")")"
    i=$((i + 1))
  done
  printf 'set title "%s"\nset ylabel "%s"\nplot %s\n' "$title" "$ylabel" "$plot"
}

chart() { # output png, kind (iperf|requests)
  local png=$1 kind=$2 t script="" n=0 scenarios
  for t in $THREADS; do
    scenarios=$(table_scenarios "$t" "$kind")
    scenarios=${scenarios/latency/}
    [ -n "${scenarios// /}" ] || continue
    n=$((n + 1))
    if [ "$kind" = iperf ]; then
      script+="unset logscale y; set yrange [0:*]"$'\n'
      # shellcheck disable=SC2086
      script+=$(chart_panel "$WORK/chart-$kind-$t-v.dat" "$t" "$t thread(s): Gbit/s (higher is better)" "Gbit/s" 6 0 $scenarios)$'\n'
      # shellcheck disable=SC2086
      script+=$(chart_panel "$WORK/chart-$kind-$t-c.dat" "$t" "$t thread(s): relay CPU s per GB (lower is better)" "CPU s/GB" 10 0 $scenarios)$'\n'
    else
      script+="unset logscale y; set yrange [0:*]"$'\n'
      # shellcheck disable=SC2086
      script+=$(chart_panel "$WORK/chart-$kind-$t-v.dat" "$t" "$t thread(s): requests/s relative to no relay (higher is better)" "ratio to none" 6 1 $scenarios)$'\n'
      script+="set logscale y; set yrange [*:*]"$'\n'
      # shellcheck disable=SC2086
      script+=$(chart_panel "$WORK/chart-$kind-$t-c.dat" "$t" "$t thread(s): relay CPU µs per request (lower is better, log scale)" "CPU µs/request" 10 0 $scenarios)$'\n'
    fi
  done
  [ "$n" = 0 ] && return 0
  gnuplot <<EOF
set terminal pngcairo size $((700 * n + 300)),1000 font "sans,10" noenhanced
set output "$png"
set multiplot layout 2,$n columnsfirst title "TCP relays on 127.0.0.1, medians of $ROUNDS rounds ($RUN_DATE)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
$(i=1; for c in $RELAY_COLOURS; do echo "set linetype $i lc rgb \"#$c\""; i=$((i + 1)); done)
set key outside right top vertical
set grid ytics
$script
unset multiplot
EOF
}

# ------------------------------------------------------------------------------------------------------------ main
STARTED=$SECONDS
if [ -n "$CHARTS_FROM" ]; then
  CSV=$CHARTS_FROM
  RUN_DATE=$(awk -F, 'NR == 2 { print $1 }' "$CSV")
  chart "$ROOT/benchmarks/results/peers.png" iperf
  chart "$ROOT/benchmarks/results/peers-requests.png" requests
  log "drew peers.png and peers-requests.png from $CSV"
  exit 0
fi
install_tools "$FORCE_INSTALL"
build_relays
RUN_DATE=$(date +%Y-%m-%dT%H:%M:%S)
mkdir -p "$ROOT/benchmarks/results"
STAMP=$(date +%Y%m%d-%H%M%S)
CSV=$ROOT/benchmarks/results/peers-$STAMP.csv
SUMMARY=$ROOT/benchmarks/results/peers-$STAMP-summary.md
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "date,round,threads,scenario,relay,value,unit,amount,relay_cpu_s,relay_cpu_per_unit,status" >"$CSV"
log "load average before: $LOAD_BEFORE; configs: $CONFIGS; results: $CSV"

if [ "$SPLICE_CHECK" = 1 ]; then splice_check; fi
run_phase iperf P1-fwd P1-rev P4-fwd P4-rev
if selected ab || selected h2load; then start_http_backend; fi
run_phase http ab
run_phase h2 h2load
if selected redis-P1 || selected redis-P16; then start_redis_backend; fi
run_phase redis redis-P1 redis-P16
if selected latency; then start_echo_backend; fi
run_phase echo latency

summarize
chart "$ROOT/benchmarks/results/peers.png" iperf
chart "$ROOT/benchmarks/results/peers-requests.png" requests
cat "$SUMMARY"
log "wrote $CSV, $SUMMARY, peers.png and peers-requests.png in $(((SECONDS - STARTED) / 60)) min $(((SECONDS - STARTED) % 60)) s"
