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

# Where a relayed connection's work goes: for each relay (1 thread, relaying to nginx on 127.0.0.1), after a warm-up
# of ab -c 32 runs (as in peers.sh):
#   1. system calls per connection: strace -f -y on the relay's processes while ab -c 1 makes N sequential
#      connections (one 4 KiB HTTP/1.0 response each); all calls, divided by N, broken down by call and by what
#      matters to a relay (epoll_ctl ADD/MOD/DEL, setsockopt/getsockopt by option, splice results, EAGAIN and other
#      errors, which kind of fd a read, write or close was on);
#   2. JVM relays only: bytes allocated and exceptions built per connection (JFR: ThreadAllocationStatistics and
#      JavaExceptionThrow, with the class and the frames that built it), over N connections of ab -c 1, no strace;
#   3. user and system CPU per connection under ab -c 32 (5 s, /proc), and where it goes: perf record (cpu-clock,
#      with kernel call stacks) by thread and DSO (kernel, JIT-compiled Java, libjvm, Netty's JNI library, the relay
#      binary), the top symbols, and the time in each system call per connection (its share of the samples, callees
#      included, times the CPU per connection), if perf works here.
# Writes benchmarks/results/syscalls-DATE.md and prints it.
#
# Usage: benchmarks/peers-syscalls.sh [-n CONNECTIONS] [--relays "..."] [--proxy jar|standin] [--no-perf]
#                                     [--keep DIR] [--install] [--baseline JAR]
#   -n  connections per measurement (default 1000)   --keep DIR  copy the raw traces, JFR recordings and perf data there
#   --relays  default: haproxy-splice haproxy-nosplice nginx gorelay netty-raw netty-proxy sr-copy sr-splice sr-spliceto
#   --proxy, as in peers.sh: jar (splice-proxy.jar, default) or standin (RelayMain)
#   --baseline JAR, as in peers.sh: the splice-proxy.jar that sr-splice-base and sr-copy-base run
set -euo pipefail

# shellcheck source=peers/lib.sh
source "$(dirname "$0")/peers/lib.sh"

CONNECTIONS=1000
RELAYS="haproxy-splice haproxy-nosplice nginx gorelay netty-raw netty-proxy sr-copy sr-splice sr-spliceto"
PROXY=jar
JAVA22=none
DO_PERF=1
KEEP=""
FORCE_INSTALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n) CONNECTIONS=$2; shift 2 ;;
    --relays) RELAYS=$2; shift 2 ;;
    --proxy) PROXY=$2; shift 2 ;;
    --no-perf) DO_PERF=0; shift ;;
    --keep) KEEP=$2; shift 2 ;;
    --install) FORCE_INSTALL=1; shift ;;
    --baseline) BASELINE_JAR=$2; shift 2 ;;
    -h|--help) usage "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage "$0" >&2; exit 2 ;;
  esac
done
check_baseline
one_thread_setup peers-syscalls
trap peers_cleanup EXIT
trap 'exit 130' INT TERM

# strace -f -y output -> "key count" lines: every call by name, plus details under "name: detail" keys.
# A call is counted where it starts (a complete line or an "<unfinished ...>" one); its result, which for an
# unfinished call comes on the "<... resumed>" line, goes to the detail keys.
summarize_trace() { # trace file, "tid name" file
  awk -v threads="$2" '
    function fdkind(s) {
      if (s ~ /^[0-9]+<(socket|TCP|TCPv6|UNIX):/) return "socket"; if (s ~ /^[0-9]+<pipe:/) return "pipe";
      if (s ~ /eventfd/) return "eventfd"; if (s ~ /eventpoll/) return "epoll"; if (s ~ /timerfd/) return "timerfd";
      return "other" }
    function result(line,   r) {
      if (line ~ /= -1 [A-Z]+/) { r = line; sub(/.*= -1 /, "", r); sub(/ .*/, "", r); return r }
      if (line ~ /= 0$/ || line ~ /= 0 /) return "0"
      if (line ~ /= [0-9]+/) return ">0"
      return "?" }
    function detail(name, line, res,   a, d) {
      d = ""
      if (name == "epoll_ctl") { match(line, /EPOLL_CTL_[A-Z]+/); d = substr(line, RSTART + 10, RLENGTH - 10) }
      else if (name == "setsockopt" || name == "getsockopt") {
        a = line; sub(/^[0-9]+ +[a-z]+\([0-9]+<[^>]*>, /, "", a); sub(/, \[?[-0-9{].*/, "", a); d = a }
      else if (name == "shutdown") { match(line, /SHUT_[A-Z]+/); d = substr(line, RSTART, RLENGTH) }
      else if (name == "splice") return res == ">0" ? "moved bytes" : res == "0" ? "returned 0" : res
      else if (name ~ /^(read|write|readv|writev|recvfrom|sendto|recvmsg|sendmsg|close|ioctl|fcntl)$/) {
        a = line; sub(/^[0-9]+ +[a-z0-9_]+\(/, "", a); d = "on " fdkind(a) }
      if (res ~ /^[A-Z]/) d = d (d == "" ? "" : ", ") res
      return d }
    /^[0-9]+ +<\.\.\. [a-z0-9_]+ resumed>/ {
      name = $3; tid = $1
      if (tid in pending) { d = detail(name, pending[tid] " " $0, result($0)); if (d != "") n[name ": " d]++; delete pending[tid] }
      next }
    BEGIN { while ((getline line < threads) > 0) { split(line, f, " "); t = line; sub(/^[0-9]+ /, "", t); thread[f[1]] = t } }
    /^[0-9]+ +[a-z0-9_]+\(/ {
      name = $2; sub(/\(.*/, "", name); n[name]++
      n["@" ($1 in thread ? thread[$1] : "(a thread that ended)")]++
      if ($0 ~ /<unfinished \.\.\.>$/) { pending[$1] = $0; next }
      d = detail(name, $0, result($0)); if (d != "") n[name ": " d]++ }
    END { for (k in n) print k "\t" n[k] }' "$1"
}

measure_syscalls() { # config -> $WORK/calls-CONFIG.tsv
  local config=$1 port out
  port=$(listen_port "$config")
  out=$WORK/trace-$config.txt
  strace_start "${RELAY_PID[$config]}" "$out" -qq -y -s 0 -e signal=none
  timeout 300 ab -q -c 1 -n "$CONNECTIONS" "http://127.0.0.1:$port/4k.bin" >"$WORK/ab-$config.txt" 2>&1 \
    || { echo "ab through $config failed:" >&2; tail -5 "$WORK/ab-$config.txt" >&2; exit 1; }
  grep -q '^Failed requests: *0' "$WORK/ab-$config.txt" || { echo "ab through $config: failed requests" >&2; exit 1; }
  strace_stop
  # Thread names, digits and dashes at the end dropped (epollEventLoopGroup-2-1 and -2-2 are one row).
  local task
  for task in /proc/"${RELAY_PID[$config]}"/task/* $(for p in $(tree_pids "${RELAY_PID[$config]}"); do echo /proc/"$p"/task/*; done); do
    [ -r "$task/comm" ] && echo "${task##*/} $(sed 's/[-0-9]*$//' "$task/comm")"
  done >"$WORK/threads-$config.txt" 2>/dev/null || true
  summarize_trace "$out" "$WORK/threads-$config.txt" >"$WORK/calls-$config.tsv"
}

measure_jfr() { # config -> $WORK/jfr-CONFIG.txt: allocated bytes and exceptions per connection, top exceptions
  local config=$1 pid=${RELAY_PID[$1]} port jfr=$WORK/$1.jfr json=$WORK/$1-jfr.json
  port=$(listen_port "$config")
  jcmd "$pid" JFR.start name=churn settings=profile +jdk.JavaExceptionThrow#enabled=true \
    +jdk.JavaExceptionThrow#stackTrace=true >/dev/null
  timeout 300 ab -q -c 1 -n "$CONNECTIONS" "http://127.0.0.1:$port/4k.bin" >/dev/null 2>&1
  jcmd "$pid" JFR.stop name=churn filename="$jfr" >/dev/null
  jfr print --json --stack-depth 24 --events jdk.ThreadAllocationStatistics,jdk.JavaExceptionThrow "$jfr" >"$json"
  jq -r --argjson n "$CONNECTIONS" '
    .recording.events as $e
    | ($e | map(select(.type == "jdk.ThreadAllocationStatistics"))
         | group_by(.values.thread.javaThreadId)
         | map((map(.values.allocated) | max) - (map(.values.allocated) | min)) | add // 0) as $bytes
    | ($e | map(select(.type == "jdk.JavaExceptionThrow"))) as $x
    | "allocated bytes per connection\t\($bytes / $n | floor)",
      "exceptions built per connection (JavaExceptionThrow)\t\(($x | length) / $n)",
      ($x | group_by(.values.thrownClass.name + " " + (.values.message // "" | .[0:60]))
          | map(select(length >= $n / 100)) | sort_by(-length) | .[0:6][]
          | "  \(.[0].values.thrownClass.name | split("/") | last): \(.[0].values.message // "" | .[0:60])\t\(length / $n)\t\(
              [.[0].values.stackTrace.frames[] | select(.method.name != "<init>" and .method.name != "newInstance")
                | (.method.type.name | split("/") | last) + "." + .method.name]
              | .[0:4] | join(" < "))")
  ' "$json" >"$WORK/jfr-$config.txt"
}

# User and system CPU per connection under ab -c 32 for 5 s (from /proc), and, if perf works here, where the CPU
# goes: perf record (cpu-clock) for 3 s of it -> $WORK/cpu-CONFIG.txt, $WORK/perf-CONFIG.txt, and each system call's
# share of the samples, its callees included (kernel stacks), -> $WORK/sys-CONFIG.tsv.
measure_cpu() { # config
  local config=$1 pid=${RELAY_PID[$1]} port data=$WORK/perf-$1.data u0 s0 u1 s1 rate count status
  port=$(listen_port "$config")
  read -r u0 s0 < <(tree_ticks "$pid" split)
  run_ab "$port" 5 >"$WORK/ab32-$config.txt" &
  local ab=$!
  if [ "$PERF_OK" = 1 ]; then
    sleep 1
    is_jvm "$config" && jcmd "$pid" Compiler.perfmap >/dev/null 2>&1 || true
    perf record -q -g -e cpu-clock -F 999 -o "$data" -p "$(tree_pids "$pid" | paste -sd,)" -- sleep 3 >/dev/null 2>&1 || true
  fi
  wait "$ab" || true
  read -r u1 s1 < <(tree_ticks "$pid" split)
  read -r rate count status <"$WORK/ab32-$config.txt"
  awk -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v n="$count" -v t="$TICKS" -v r="$rate" -v st="$status" \
    'BEGIN { printf "%.0f\t%.1f\t%.1f\t%s\n", r, u / t * 1e6 / n, s / t * 1e6 / n, st }' >"$WORK/cpu-$config.txt"
  [ "$PERF_OK" = 1 ] || return 0
  is_jvm "$config" && jcmd "$pid" Compiler.perfmap >/dev/null 2>&1 || true
  perf report -i "$data" --no-children --sort comm,dso --stdio -g none >"$data.dso" 2>/dev/null || true
  perf report -i "$data" --no-children --sort sym --stdio -g none >"$data.sym" 2>/dev/null || true
  perf report -i "$data" --children --sort sym --stdio -g none 2>/dev/null \
    | awk '$NF ~ /^__x64_sys_/ { name = $NF; sub(/^__x64_sys_/, "", name); sub(/%/, "", $1); print name "\t" $1 }' \
    >"$WORK/sys-$config.tsv" || true
  {
    grep -E '^ +[0-9]' "$data.dso" | sed -n 1,10p
    echo "top symbols:"
    grep -E '^ +[0-9]' "$data.sym" | sed -n 1,10p
  } >"$WORK/perf-$config.txt"
}

install_tools "$FORCE_INSTALL"
build_relays
DATE=$(date +%Y-%m-%dT%H:%M:%S)
OUT=$ROOT/benchmarks/results/syscalls-$(date +%Y%m%d-%H%M%S).md
PERF_OK=0
if [ "$DO_PERF" = 1 ]; then
  command -v perf >/dev/null 2>&1 || install_tools 1 linux-perf
  perf stat -e cpu-clock true >/dev/null 2>&1 && PERF_OK=1
fi
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg); relays: $CONFIGS"
start_http_backend
REQUEST_SECONDS=4 # warm-up runs of ab -t 2
for config in $CONFIGS; do
  start_relay "$config" "$HTTP_PORT"
  warm_up "$config" ab "$HTTP_PORT"
  # CPU (and perf) first: JFR loads and compiles code of its own, which would show up in them.
  log "$config: CPU per connection under ab -c 32"
  measure_cpu "$config"
  log "$config: strace over $CONNECTIONS connections"
  measure_syscalls "$config"
  if is_jvm "$config"; then log "$config: JFR over $CONNECTIONS connections"; measure_jfr "$config"; fi
  stop_relays
done

per_conn() { awk -v n="$CONNECTIONS" -v k="$2" -F'\t' '$1 == k { v = $2 } END { if (v == "") print "-"; else printf "%.2f", v / n }' "$1"; }
# A relay's CPU µs per connection under ab -c 32, user + system (see measure_cpu).
cpu_per_conn() { awk -F'\t' '{ print $2 + $3 }' "$WORK/cpu-$1.txt"; }
{
  echo "# System calls per relayed connection, $DATE"
  echo
  echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
    "$(java -version 2>&1 | head -1). splice-relay: $([ "$PROXY" = jar ] && echo splice-proxy.jar || echo RelayMain)," \
    "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'). Each relay: 1 thread, after warm-up;" \
    "ab -c 1 -n $CONNECTIONS (HTTP/1.0, 4 KiB from nginx): one client connection and one upstream connection each."
  echo
  echo "Calls per connection (strace -f -y; every thread of the relay):"
  echo
  printf '| call |'; for c in $CONFIGS; do printf ' %s |' "$(config_name "$c")"; done; echo
  printf '|---|'; for c in $CONFIGS; do printf -- '---|'; done; echo
  printf '| **all** |'
  for c in $CONFIGS; do
    printf ' **%s** |' "$(awk -v n="$CONNECTIONS" -F'\t' '$1 !~ /: / && $1 !~ /^@/ { s += $2 } END { printf "%.1f", s / n }' "$WORK/calls-$c.tsv")"
  done
  echo
  # Rows: every call and detail seen at 0.05 per connection or more in any relay, calls first, details under them.
  cat "$WORK"/calls-*.tsv | awk -F'\t' -v n="$CONNECTIONS" '$1 !~ /^@/ && $2 / n >= 0.05 { print $1 }' | sort -u \
    | awk '{ base = $0; sub(/: .*/, "", base); print base "\t" ($0 == base ? 0 : 1) "\t" $0 }' | sort -t$'\t' -k1,1 -k2,2n -k3 \
    | cut -f3 | while IFS= read -r key; do
        if [[ $key == *": "* ]]; then printf '| &nbsp;&nbsp;%s |' "${key#*: }"; else printf '| %s |' "$key"; fi
        for c in $CONFIGS; do printf ' %s |' "$(per_conn "$WORK/calls-$c.tsv" "$key")"; done
        echo
      done
  echo
  echo "Under load (ab -c 32 for 5 s, after the warm-up): requests/s and the relay's CPU µs per connection:"
  echo
  printf '| |'; for c in $CONFIGS; do printf ' %s |' "$(config_name "$c")"; done; echo
  printf '|---|'; for c in $CONFIGS; do printf -- '---|'; done; echo
  for row in "requests/s:1" "user µs/conn:2" "system µs/conn:3" "total µs/conn:0"; do
    printf '| %s |' "${row%:*}"
    for c in $CONFIGS; do
      printf ' %s |' "$(awk -F'\t' -v col="${row#*:}" '{ v = (col == 0 ? $2 + $3 : $col); if ($4 != "ok") v = v " (" $4 ")"; print v }' "$WORK/cpu-$c.txt")"
    done
    echo
  done
  echo
  echo "The same calls by thread (thread names without their numbers; 0.05 per connection or more):"
  echo
  for c in $CONFIGS; do
    printf -- '- %s: %s\n' "$(config_name "$c")" "$(awk -F'\t' -v n="$CONNECTIONS" '$1 ~ /^@/ && $2 / n >= 0.05 {
      printf "%s%s %.2f", sep, substr($1, 2), $2 / n; sep = ", " }' "$WORK/calls-$c.tsv")"
  done
  for c in $CONFIGS; do
    if [ -f "$WORK/jfr-$c.txt" ]; then
      echo
      echo "JFR, $(config_name "$c") (ab -c 1 -n $CONNECTIONS, no strace):"
      echo
      echo '```'
      cat "$WORK/jfr-$c.txt"
      echo '```'
    fi
  done
  if [ "$PERF_OK" = 1 ]; then
    echo
    echo "Time in each system call under ab -c 32, µs per connection: its share of the relay's perf samples, callees"
    echo "included, times the CPU per connection above (calls at 0.5 µs or more in any relay; the rest is user time,"
    echo "interrupts and the scheduler):"
    echo
    printf '| call |'; for c in $CONFIGS; do printf ' %s |' "$(config_name "$c")"; done; echo
    printf '|---|'; for c in $CONFIGS; do printf -- '---|'; done; echo
    for key in $(for c in $CONFIGS; do
        awk -F'\t' -v cpu="$(cpu_per_conn "$c")" '$2 * cpu / 100 >= 0.5 { print $1 }' "$WORK/sys-$c.tsv" 2>/dev/null
      done | sort -u); do
      printf '| %s |' "$key"
      for c in $CONFIGS; do
        printf ' %s |' "$(awk -F'\t' -v k="$key" -v cpu="$(cpu_per_conn "$c")" \
          '$1 == k { v = $2 * cpu / 100 } END { if (v == "") print "-"; else printf "%.1f", v }' "$WORK/sys-$c.tsv" 2>/dev/null)"
      done
      echo
    done
    for c in $CONFIGS; do
      echo
      echo "perf (cpu-clock, 3 s under ab -c 32), $(config_name "$c"): share of the relay's samples by thread and DSO, then by symbol:"
      echo
      echo '```'
      cat "$WORK/perf-$c.txt"
      echo '```'
    done
  elif [ "$DO_PERF" = 1 ]; then
    echo
    echo "perf: not available here (perf stat -e cpu-clock failed)."
  fi
} >"$OUT"
if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp -r "$WORK"/. "$KEEP"/; fi
cat "$OUT"
log "wrote $OUT"
