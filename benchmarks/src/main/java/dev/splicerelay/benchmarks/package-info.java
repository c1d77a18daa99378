/**
 * JMH benchmarks of {@link dev.splicerelay.SpliceRelayHandler} over loopback (throughput, 64-byte latency,
 * connection churn), and the small mains {@code benchmarks/peers.sh} runs: {@link dev.splicerelay.benchmarks.RelayMain}
 * (a stand-in relay on the public API), {@link dev.splicerelay.benchmarks.EchoMain} and
 * {@link dev.splicerelay.benchmarks.PingClient}. See {@code BENCHMARKS.md} at the repository root.
 */
package dev.splicerelay.benchmarks;
