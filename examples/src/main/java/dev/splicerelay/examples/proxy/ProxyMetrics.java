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
package dev.splicerelay.examples.proxy;

import dev.splicerelay.RelayMode;
import dev.splicerelay.RelayOutcome;
import dev.splicerelay.RelayStats;
import dev.splicerelay.SpliceRelayHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The proxy's Prometheus metrics, kept in a Micrometer {@link PrometheusMeterRegistry}, which also writes the text
 * format. The proxy counts its clients and relays here as {@link ProxyEvents}; gauges and the live byte counters
 * read {@link ProxyStatus} and the relays' live byte counts when scraped; the JVM's memory, GC, threads, classes, CPU
 * and file descriptors come from Micrometer's binders. The names, as scraped:
 *
 * <ul>
 *   <li>{@code splice_proxy_connections_accepted_total}, {@code splice_proxy_connections_refused_total{reason}}
 *   ({@code max_connections}, {@code allow_list}, {@code handshake}, {@code no_target}, {@code proxy_header}: see
 *   {@link Refusal}), {@code splice_proxy_connections_open};</li>
 *   <li>{@code splice_proxy_relays_open}, {@code splice_proxy_relays_ended_total{outcome,mode}} (outcome
 *   {@code completed}, {@code reset}, {@code idle_timeout}, {@code error}, or {@code start_failed} for a relay that
 *   {@code --mode splice} could not start; mode {@code splice} or {@code copy});</li>
 *   <li>{@code splice_proxy_relayed_bytes_total{direction}}: every relay's bytes, the open ones' included, as they
 *   move ({@code client_to_target}, {@code target_to_client}); and
 *   {@code splice_proxy_relays_ended_bytes_total{direction,mode}}: the bytes of ended relays by the mode they ran
 *   in, counted when they end;</li>
 *   <li>per target (each {@code --target}, or each {@code --allow} entry of the connect and socks5 fronts;
 *   {@link #registerTargets}): {@code splice_proxy_target_up{target}}, {@code splice_proxy_target_relays_open{target}},
 *   {@code splice_proxy_target_transitions_total{target,state}} and
 *   {@code splice_proxy_target_connect_failures_total{target,reason}}, the last two heard as a
 *   {@link TargetListener};</li>
 *   <li>{@code splice_proxy_pipes}: pipes the process holds both ends of, which are the splice engines' pipes, in
 *   use or pooled ({@link PipeCount});</li>
 *   <li>{@code splice_proxy_access_log_dropped_total}, lines {@code --access-log} dropped because its queue was
 *   full.</li>
 * </ul>
 *
 * <p>Threading: the event methods run on every event loop and only increment counters that exist already, looked up
 * without allocating (only a target's first connect failure for a reason registers a counter, and a health change
 * looks its counter up in the registry); {@link #scrape} runs on the
 * metrics server's own event loop, never on a relay loop, and reads only atomics and the relays' live counts.
 */
final class ProxyMetrics implements ProxyEvents, AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Counter accepted;
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final Map<RelayOutcome, Map<RelayMode, Counter>> ended = new EnumMap<>(RelayOutcome.class);
    private final Counter startFailed;
    private final Map<RelayMode, Counter> endedBytesToTarget = new EnumMap<>(RelayMode.class);
    private final Map<RelayMode, Counter> endedBytesToClient = new EnumMap<>(RelayMode.class);
    private final Counter accessLogDropped;
    /** Held here: Micrometer holds a function counter's object weakly and, once it is gone, reads it no more. */
    private final LiveBytes live;

    ProxyMetrics(ProxyStatus status) {
        accepted = Counter.builder("splice.proxy.connections.accepted")
                .description("Clients admitted (under --max-connections)").register(registry);
        for (Refusal reason : Refusal.values()) {
            refused.put(reason, Counter.builder("splice.proxy.connections.refused")
                    .description("Clients closed without a relay, by reason").tag("reason", reason.label())
                    .register(registry));
        }
        for (RelayOutcome outcome : RelayOutcome.values()) {
            Map<RelayMode, Counter> byMode = new EnumMap<>(RelayMode.class);
            for (RelayMode mode : ranModes()) {
                byMode.put(mode, endedCounter(label(outcome), label(mode)));
            }
            ended.put(outcome, byMode);
        }
        startFailed = endedCounter("start_failed", label(RelayMode.SPLICE));
        for (RelayMode mode : ranModes()) {
            endedBytesToTarget.put(mode, endedBytes("client_to_target", mode));
            endedBytesToClient.put(mode, endedBytes("target_to_client", mode));
        }
        accessLogDropped = Counter.builder("splice.proxy.access.log.dropped")
                .description("Access log lines dropped because the log's queue was full").register(registry);
        Gauge.builder("splice.proxy.connections.open", status, ProxyStatus::activeConnections)
                .description("Clients open, relayed or still in their handshake").register(registry);
        Gauge.builder("splice.proxy.relays.open", status, ProxyStatus::openRelays)
                .description("Relays running").register(registry);
        live = new LiveBytes(status);
        FunctionCounter.builder("splice.proxy.relayed", live, LiveBytes::toTarget).baseUnit("bytes")
                .description("Bytes relayed by all relays, open ones included").tag("direction", "client_to_target")
                .register(registry);
        FunctionCounter.builder("splice.proxy.relayed", live, LiveBytes::toClient).baseUnit("bytes")
                .description("Bytes relayed by all relays, open ones included").tag("direction", "target_to_client")
                .register(registry);
        if (PipeCount.isSupported()) {
            Gauge.builder("splice.proxy.pipes", PipeCount::count)
                    .description("Pipes this process holds both ends of: the splice engines' pipes, in use or pooled")
                    .register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Adds the health of each target: {@code splice_proxy_target_up} (1 or 0) and
     * {@code splice_proxy_target_relays_open}, read from {@code targets} when scraped, and its transitions, counted
     * from 0 as {@link #stateChanged} hears them. Once, before the proxy serves.
     */
    void registerTargets(Collection<Target> targets) {
        for (Target target : targets) {
            String label = label(target);
            Gauge.builder("splice.proxy.target.up", target, t -> t.isUp() ? 1 : 0)
                    .description("Whether the target is up (1) or down (0) by its health checks")
                    .tag("target", label).register(registry);
            Gauge.builder("splice.proxy.target.relays.open", target, Target::openRelays)
                    .description("Relays open to the target, and clients' connects to it in progress")
                    .tag("target", label).register(registry);
            transitions(label, true);
            transitions(label, false);
        }
    }

    @Override
    public void connectionAccepted() {
        accepted.increment();
    }

    @Override
    public void connectionRefused(Refusal reason) {
        refused.get(reason).increment();
    }

    @Override
    public void connectFailed(Target target, ConnectFailure failure, String reason) {
        Counter.builder("splice.proxy.target.connect.failures")
                .description("Clients' failed connects to a target, by reason").tag("target", label(target))
                .tag("reason", label(failure)).register(registry).increment();
    }

    @Override
    public void stateChanged(Target target, boolean up, String reason) {
        transitions(label(target), up).increment();
    }

    @Override
    public void relayEnded(SpliceRelayHandler relay, EndedRelay endedRelay) {
        RelayStats stats = endedRelay.stats();
        ended.get(stats.outcome()).get(stats.mode()).increment();
        endedBytesToTarget.get(stats.mode()).increment(stats.bytesInboundToPeer());
        endedBytesToClient.get(stats.mode()).increment(stats.bytesPeerToInbound());
    }

    @Override
    public void relayFailed(SpliceRelayHandler relay, Throwable cause) {
        startFailed.increment();
    }

    /** Counts an access log line dropped for lack of room; from any thread. */
    void accessLogLineDropped() {
        accessLogDropped.increment();
    }

    /** Writes every metric in the Prometheus text format (version 0.0.4) to {@code out}. */
    void scrape(OutputStream out) throws IOException {
        registry.scrape(out);
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    private Counter transitions(String target, boolean up) {
        return Counter.builder("splice.proxy.target.transitions")
                .description("Health changes of a target, by the state it went to").tag("target", target)
                .tag("state", up ? "up" : "down").register(registry);
    }

    private Counter endedCounter(String outcome, String mode) {
        return Counter.builder("splice.proxy.relays.ended").description("Relays ended, by outcome and mode")
                .tag("outcome", outcome).tag("mode", mode).register(registry);
    }

    private Counter endedBytes(String direction, RelayMode mode) {
        return Counter.builder("splice.proxy.relays.ended").baseUnit("bytes")
                .description("Bytes relayed by ended relays, by the mode they ran in")
                .tag("direction", direction).tag("mode", label(mode)).register(registry);
    }

    /** The modes a relay reports having run in: never {@link RelayMode#AUTO}. */
    private static RelayMode[] ranModes() {
        return new RelayMode[] {RelayMode.SPLICE, RelayMode.COPY};
    }

    private static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** A target as the command line writes it, {@code host:port} or {@code unix:PATH}. */
    private static String label(Target target) {
        return target.address().toString();
    }

    /**
     * {@link ProxyStatus#bytesRelayed()}, held monotonic: a counter must never go down, and that sum can dip for one
     * read when a relay ends meanwhile (never rise above the truth), so a read never reports less than the one
     * before. Threading: reads are serialised; scrapes come from the metrics loop only.
     */
    private static final class LiveBytes {
        private final ProxyStatus status;
        private long toTarget;
        private long toClient;

        LiveBytes(ProxyStatus status) {
            this.status = status;
        }

        synchronized double toTarget() {
            toTarget = Math.max(toTarget, status.bytesRelayed().toTarget());
            return toTarget;
        }

        synchronized double toClient() {
            toClient = Math.max(toClient, status.bytesRelayed().toClient());
            return toClient;
        }
    }
}
