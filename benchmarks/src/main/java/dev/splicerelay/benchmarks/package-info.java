/*
 * Copyright 2026 The splice-relay developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance with
 * the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on
 * an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for the
 * specific language governing permissions and limitations under the License.
 */
/**
 * JMH benchmarks of {@link dev.splicerelay.SpliceRelayHandler} over loopback (throughput, 64-byte latency,
 * connection churn), and the small mains {@code benchmarks/peers.sh} runs: {@link dev.splicerelay.benchmarks.RelayMain}
 * (a stand-in relay on the public API), {@link dev.splicerelay.benchmarks.EchoMain} and
 * {@link dev.splicerelay.benchmarks.PingClient}. See {@code BENCHMARKS.md} at the repository root.
 */
package dev.splicerelay.benchmarks;
