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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProxyMetrics} in the text it scrapes: connection events, and each target's health, open relays, health
 * changes and failed connects, as its {@link TargetGroup} reports them. (Relays and bytes, from real relays, are
 * checked by MetricsIT.)
 */
@Timeout(10)
class ProxyMetricsTest {
    private final TargetGroup group = new TargetGroup(List.of(HostPort.parse("10.0.0.1:80"),
            new UnixPath("/run/b.sock")), Balance.FIRST, HealthPolicy.DEFAULTS);
    private final Target a = group.targets().get(0);
    private final Target b = group.targets().get(1);

    @Test
    void countsConnectionsAndRefusals() throws IOException {
        try (ProxyMetrics metrics = new ProxyMetrics(new ProxyStatus(0))) {
            metrics.connectionAccepted();
            metrics.connectionAccepted();
            metrics.connectionRefused(Refusal.ALLOW_LIST);
            metrics.accessLogLineDropped();
            String text = scrape(metrics);
            assertLine(text, "splice_proxy_connections_accepted_total 2.0");
            assertLine(text, "splice_proxy_connections_refused_total{reason=\"allow_list\"} 1.0");
            assertLine(text, "splice_proxy_connections_refused_total{reason=\"handshake\"} 0.0");
            assertLine(text, "splice_proxy_connections_refused_total{reason=\"max_connections\"} 0.0");
            assertLine(text, "splice_proxy_access_log_dropped_total 1.0");
            assertLine(text, "splice_proxy_relays_open 0.0");
            assertLine(text, "splice_proxy_relayed_bytes_total{direction=\"client_to_target\"} 0.0");
        }
    }

    @Test
    void countsConnectFailuresPerTargetAndReason() throws IOException {
        try (ProxyMetrics metrics = metricsOfTheGroup()) {
            a.connectFailed(ConnectFailure.REFUSED, "connection refused");
            a.connectFailed(ConnectFailure.REFUSED, "connection refused");
            b.connectFailed(ConnectFailure.OTHER, "too many open files");
            String text = scrape(metrics);
            assertLine(text,
                    "splice_proxy_target_connect_failures_total{reason=\"refused\",target=\"10.0.0.1:80\"} 2.0");
            assertLine(text,
                    "splice_proxy_target_connect_failures_total{reason=\"other\",target=\"unix:/run/b.sock\"} 1.0");
        }
    }

    @Test
    void reportsEachTargetsHealthWhenScraped() throws IOException {
        try (ProxyMetrics metrics = metricsOfTheGroup()) {
            for (int i = 0; i < 3; i++) {
                a.relayOpened();
            }
            b.markDown("connection refused (a client's connect)");
            String text = scrape(metrics);
            assertLine(text, "splice_proxy_target_up{target=\"10.0.0.1:80\"} 1.0");
            assertLine(text, "splice_proxy_target_up{target=\"unix:/run/b.sock\"} 0.0");
            assertLine(text, "splice_proxy_target_relays_open{target=\"10.0.0.1:80\"} 3.0");
            assertLine(text, "splice_proxy_target_transitions_total{state=\"down\",target=\"unix:/run/b.sock\"} 1.0");
            assertLine(text, "splice_proxy_target_transitions_total{state=\"down\",target=\"10.0.0.1:80\"} 0.0");
            a.markDown("connect timed out (3 checks in a row)");
            for (int i = 0; i < 3; i++) {
                a.relayClosed();
            }
            b.markUp("2 checks passed in a row");
            text = scrape(metrics);
            assertLine(text, "splice_proxy_target_up{target=\"10.0.0.1:80\"} 0.0");
            assertLine(text, "splice_proxy_target_up{target=\"unix:/run/b.sock\"} 1.0");
            assertLine(text, "splice_proxy_target_relays_open{target=\"10.0.0.1:80\"} 0.0");
            assertLine(text, "splice_proxy_target_transitions_total{state=\"down\",target=\"10.0.0.1:80\"} 1.0");
            assertLine(text, "splice_proxy_target_transitions_total{state=\"up\",target=\"unix:/run/b.sock\"} 1.0");
        }
    }

    /** Metrics that report the group's targets and hear their events, as the proxy sets them up. */
    private ProxyMetrics metricsOfTheGroup() {
        ProxyMetrics metrics = new ProxyMetrics(new ProxyStatus(0));
        metrics.registerTargets(group.targets());
        group.addListener(metrics);
        return metrics;
    }

    private static String scrape(ProxyMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void assertLine(String text, String line) {
        assertTrue(("\n" + text).contains("\n" + line + "\n"), () -> "no line '" + line + "' in:\n" + text);
    }
}
