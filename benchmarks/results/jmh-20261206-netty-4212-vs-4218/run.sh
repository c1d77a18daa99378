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

# Interleaved JMH: the relay paths on Netty 4.2.12 (old default) and 4.2.18 (new default, with the workaround).
set -euo pipefail
# benchmarks-4212.jar and benchmarks-4218.jar: benchmarks.jar built with -Dnetty.version=4.2.12.Final and 4.2.18.Final.
cd "$(dirname "$0")"
for round in 1 2; do
  for v in 4212 4218; do
    java -jar benchmarks-$v.jar 'RelayThroughputBenchmark.oneStream|RelayChurnBenchmark' \
      -p path=COPY_EPOLL,SPLICE_EPOLL,SPLICE_OWN_EPOLL -p chunkSize=65536 \
      -f 1 -wi 2 -i 3 -w 2s -r 2s -rf json -rff jmh-$v-r$round.json > jmh-$v-r$round.txt 2>&1
  done
done
