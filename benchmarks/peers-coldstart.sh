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

# Cold start of splice-proxy, with and without a class data sharing (CDS) archive of the proxy jar, next to HAProxy:
#   first byte  time from starting the relay process to the first relayed reply (redis PING through it, retried
#               every 5 ms), in ms;
#   ab, redis-P16, h2load  the first load after that first byte, through a relay just started: ab -c 32 -t 1 (new
#               connection per request), redis-benchmark -t set -c 50 -P 16 -n 500000 (about a second), h2load
#               -c 16 -m 16 -D 1 (4 KiB files over h2c); requests/s. The same loads through a warm relay (after
#               peers.sh's warm-up) give the "warm" row, the ratio cold / warm says what the cold JVM costs;
#   classes     classes loaded by the time of the first byte, and how many came from a CDS archive (-Xlog:class+load).
# Variants of a JVM relay: nocds (the JDK's own CDS archive only, the default), cds (plus a dynamic archive of the
# proxy's classes) and, on Java 25+, aot (an AOT cache: classes loaded and linked, and method profiles).
# The archives are made the way a user would: one training run with -XX:ArchiveClassesAtExit=FILE (cds) or
# -XX:AOTCacheOutput=FILE (aot) that relays some load, ended with SIGTERM; then -XX:SharedArchiveFile=FILE or
# -XX:AOTCache=FILE. One archive per relay (mode).
# Medians of N rounds, interleaved. Writes benchmarks/results/coldstart-DATE.md and prints it.
#
# Usage: benchmarks/peers-coldstart.sh [-r ROUNDS] [--relays "sr-splice sr-splice-1m sr-copy haproxy-splice"] [--install]
#   (sr-splice-1m, run by the first Java 22+ under /usr/lib/jvm, only if there is one)
set -euo pipefail

# shellcheck source=peers/lib.sh
source "$(dirname "$0")/peers/lib.sh"

ROUNDS=3
RELAYS="sr-splice sr-copy haproxy-splice"
[ "$(find_java22)" != none ] && RELAYS="sr-splice sr-splice-1m sr-copy haproxy-splice"
PROXY=jar
JAVA22=none
FORCE_INSTALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    -r) ROUNDS=$2; shift 2 ;;
    --relays) RELAYS=$2; shift 2 ;;
    --install) FORCE_INSTALL=1; shift ;;
    -h|--help) usage "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage "$0" >&2; exit 2 ;;
  esac
done
one_thread_setup peers-coldstart
trap peers_cleanup EXIT
trap 'exit 130' INT TERM
LOADS="ab redis-P16 h2load"
CSV=$WORK/coldstart.csv
: >"$CSV"

relay_java() { if [ "$(config_name "$1")" = sr-splice-1m ]; then echo "$JAVA22"; else echo java; fi; }
# nocds: the JDK's own CDS archive only (the default); cds: plus a dynamic archive of the proxy's classes; aot
# (Java 25+): an AOT cache (JEP 483, 514, 515: classes loaded and linked, and method profiles, from a training run).
variants() {
  if ! is_jvm "$1"; then echo native; return; fi
  if [ "$(java_feature "$(relay_java "$1")")" -ge 25 ] 2>/dev/null; then echo "nocds cds aot"; else echo "nocds cds"; fi
}
backend_port() { case "$1" in ab) echo "$HTTP_PORT" ;; h2load) echo "$H2_PORT" ;; *) echo "$REDIS_PORT" ;; esac; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

cold_load() { # load, port -> "rate status"
  local rate _count status
  case "$1" in
    ab) read -r rate _count status < <(run_ab "$2" 1) ;;
    redis-P16) read -r rate _count status < <(run_redis "$2" 16 500000) ;;
    h2load)
      local out rc=0
      out=$(timeout 60 h2load -D 1 -c "$H2_CONNECTIONS" -m "$H2_STREAMS" "http://127.0.0.1:$2/4k.bin" 2>&1) || rc=$?
      read -r rate status < <(awk -v rc="$rc" '/^finished in/ { rate = $4 } /^requests:/ { failed = $10 + $12 }
        END { print rate, (rc == 0 && rate != "" && failed == 0 ? "ok" : "h2load-failed") }' <<<"$out") ;;
  esac
  echo "$rate $status"
}

start_variant() { # config, variant, target port, extra JVM options...
  local config=$1 variant=$2 target=$3 opts=()
  shift 3
  [ "$variant" = cds ] && opts+=(-XX:SharedArchiveFile="$WORK/$(config_name "$config").jsa")
  [ "$variant" = aot ] && opts+=(-XX:AOTCache="$WORK/$(config_name "$config").aot")
  start_relay "$config" "$target" "${opts[@]}" "$@"
}

# Starts the relay towards redis and sends PING through it every 5 ms until PONG comes back; leaves it running.
# Writes to $WORK/first-byte the milliseconds from the start, the classes loaded by then and how many of them came
# from a CDS archive (not printed: the relay must start in this shell, not in a command substitution's).
first_byte() { # config, variant
  local config=$1 variant=$2 t0 ms i port log=$WORK/classes-$1-$2.log
  port=$(listen_port "$config")
  rm -f "$log"
  t0=$(now_ms)
  RELAY_NOWAIT=1 start_variant "$config" "$variant" "$REDIS_PORT" -Xlog:class+load=info:file="$log"
  for i in $(seq 1 3000); do
    if [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ]; then
      ms=$(($(now_ms) - t0))
      echo "$ms $(grep -c 'source:' "$log" 2>/dev/null || echo 0) $(grep -c 'source: shared objects file' "$log" 2>/dev/null || echo 0)" \
        >"$WORK/first-byte"
      return 0
    fi
    sleep 0.005
  done
  echo "no relayed byte within 15 s through $config" >&2
  exit 1
}

# The archives, made as a user would: a training run that relays redis-benchmark's load (the accept, connect and
# relay paths every TCP load uses), ended with SIGTERM, at which the JVM writes the archive.
train() { # config, variant
  local config=$1 file
  case "$2" in
    cds) file=$WORK/$(config_name "$config").jsa; start_relay "$config" "$REDIS_PORT" -XX:ArchiveClassesAtExit="$file" ;;
    aot) file=$WORK/$(config_name "$config").aot; start_relay "$config" "$REDIS_PORT" -XX:AOTCacheOutput="$file" ;;
    *) return 0 ;;
  esac
  run_redis "$(listen_port "$config")" 16 100000 >/dev/null
  run_redis "$(listen_port "$config")" 1 10000 >/dev/null
  stop_relays
  [ -s "$file" ] || { echo "no $2 archive written for $config" >&2; exit 1; }
}

install_tools "$FORCE_INSTALL"
build_relays
DATE=$(date +%Y-%m-%dT%H:%M:%S)
OUT=$ROOT/benchmarks/results/coldstart-$(date +%Y%m%d-%H%M%S).md
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg); relays: $CONFIGS"
start_http_backend
start_redis_backend
for config in $CONFIGS; do
  for variant in $(variants "$config"); do
    case "$variant" in cds|aot) log "training the $variant archive of $config"; train "$config" "$variant" ;; esac
  done
done

for round in $(seq 1 "$ROUNDS"); do
  for config in $CONFIGS; do
    for variant in $(variants "$config"); do
      first_byte "$config" "$variant"
      read -r ms classes shared <"$WORK/first-byte"
      echo "$round $config $variant first-byte $ms ok" >>"$CSV"
      echo "$round $config $variant classes $classes ok" >>"$CSV"
      echo "$round $config $variant shared-classes $shared ok" >>"$CSV"
      stop_relays
      for load in $LOADS; do
        start_variant "$config" "$variant" "$(backend_port "$load")"
        read -r rate status < <(cold_load "$load" "$(listen_port "$config")")
        echo "$round $config $variant $load ${rate:-0} $status" >>"$CSV"
        log "round $round $config $variant: first byte $ms ms; $load first second ${rate:-?} req/s ($status)"
        stop_relays
      done
    done
  done
done
# Warm: the same loads through each relay after the warm-up peers.sh gives it, ROUNDS runs each.
for config in $CONFIGS; do
  for load in $LOADS; do
    start_relay "$config" "$(backend_port "$load")"
    warm_up "$config" "$load" "$(backend_port "$load")"
    for round in $(seq 1 "$ROUNDS"); do
      read -r rate status < <(cold_load "$load" "$(listen_port "$config")")
      echo "$round $config warm $load ${rate:-0} $status" >>"$CSV"
      log "$config warm: $load ${rate:-?} req/s ($status)"
    done
    stop_relays
  done
done

med() { awk -v c="$1" -v v="$2" -v k="$3" '$2 == c && $3 == v && $4 == k && $6 == "ok" { print $5 }' "$CSV" | sort -g \
  | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
{
  echo "# Cold start, $DATE"
  echo
  echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
    "$(java -version 2>&1 | head -1)$([ "$JAVA22" != none ] && echo " (sr-splice-1m: $("$JAVA22" -version 2>&1 | head -1))")," \
    "JVM options ${JAVA_OPTS[*]}; splice-proxy.jar, 1 thread, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')." \
    "Medians of $ROUNDS rounds; warm: $ROUNDS runs through one relay after peers.sh's warm-up."
  echo
  echo "| relay | variant | first byte ms | classes loaded (from CDS) | ab req/s | redis-P16 req/s | h2load req/s |"
  echo "|---|---|---|---|---|---|---|"
  ref=$(awk '{ print $2 }' "$CSV" | grep '^haproxy' | head -1 || true)
  for config in $CONFIGS; do
    for variant in $(variants "$config") warm; do
      printf '| %s | %s |' "$(config_name "$config")" "$variant"
      if [ "$variant" = warm ]; then printf ' | |'; else
        printf ' %s | %s |' "$(med "$config" "$variant" first-byte)" \
          "$(is_jvm "$config" && echo "$(med "$config" "$variant" classes) ($(med "$config" "$variant" shared-classes))" || echo -)"
      fi
      for load in $LOADS; do
        v=$(med "$config" "$variant" "$load")
        r=""
        if [ -n "$ref" ] && [ -n "$v" ]; then
          base=$(med "$ref" native "$load")
          r=$(awk -v a="$v" -v b="$base" 'BEGIN { if (b > 0) printf " (%.2f)", a / b }')
        fi
        printf ' %s%s |' "$(awk -v a="$v" 'BEGIN { if (a == "") print "-"; else printf "%.0f", a }')" "$r"
      done
      echo
    done
  done
  [ -n "$ref" ] && echo && echo "In brackets: ratio to $(config_name "$ref")'s cold (native) rate in the same column."
} >"$OUT"
cat "$OUT"
log "wrote $OUT"
