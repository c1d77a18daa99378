package dev.splicerelay.examples.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProxyMetrics} in the text it scrapes: connection events, connect failures per target, and the health of
 * targets as a load balancer reports it through {@link MeteredTarget}. (Relays and bytes, from real relays, are
 * checked by MetricsIT.)
 */
@Timeout(10)
class ProxyMetricsTest {
    @Test
    void countsConnectionsRefusalsAndConnectFailuresPerTarget() throws IOException {
        try (ProxyMetrics metrics = new ProxyMetrics(new ProxyStatus(0))) {
            metrics.connectionAccepted();
            metrics.connectionAccepted();
            metrics.connectionRefused(Refusal.ALLOW_LIST);
            metrics.connectFailed(HostPort.parse("127.0.0.1:9"), ConnectFailure.REFUSED);
            metrics.connectFailed(HostPort.parse("127.0.0.1:9"), ConnectFailure.REFUSED);
            metrics.connectFailed(new UnixPath("/run/t.sock"), ConnectFailure.OTHER);
            metrics.accessLogLineDropped();
            String text = scrape(metrics);
            assertLine(text, "splice_proxy_connections_accepted_total 2.0");
            assertLine(text, "splice_proxy_connections_refused_total{reason=\"allow_list\"} 1.0");
            assertLine(text, "splice_proxy_connections_refused_total{reason=\"handshake\"} 0.0");
            assertLine(text, "splice_proxy_connections_refused_total{reason=\"max_connections\"} 0.0");
            assertLine(text, "splice_proxy_target_connect_failures_total{reason=\"refused\",target=\"127.0.0.1:9\"} 2.0");
            assertLine(text, "splice_proxy_target_connect_failures_total{reason=\"other\",target=\"unix:/run/t.sock\"} 1.0");
            assertLine(text, "splice_proxy_access_log_dropped_total 1.0");
            assertLine(text, "splice_proxy_relays_open 0.0");
            assertLine(text, "splice_proxy_relayed_bytes_total{direction=\"client_to_target\"} 0.0");
        }
    }

    @Test
    void reportsEachTargetsHealthWhenScraped() throws IOException {
        FakeTarget a = new FakeTarget("10.0.0.1:80", true, 3);
        FakeTarget b = new FakeTarget("unix:/run/b.sock", false, 0);
        try (ProxyMetrics metrics = new ProxyMetrics(new ProxyStatus(0))) {
            metrics.registerTargets(List.of(a, b));
            String text = scrape(metrics);
            assertLine(text, "splice_proxy_target_up{target=\"10.0.0.1:80\"} 1.0");
            assertLine(text, "splice_proxy_target_up{target=\"unix:/run/b.sock\"} 0.0");
            assertLine(text, "splice_proxy_target_relays_open{target=\"10.0.0.1:80\"} 3.0");
            a.up = false;
            a.open = 0;
            b.up = true;
            text = scrape(metrics);
            assertLine(text, "splice_proxy_target_up{target=\"10.0.0.1:80\"} 0.0");
            assertLine(text, "splice_proxy_target_up{target=\"unix:/run/b.sock\"} 1.0");
            assertLine(text, "splice_proxy_target_relays_open{target=\"10.0.0.1:80\"} 0.0");
        }
    }

    private static String scrape(ProxyMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void assertLine(String text, String line) {
        assertTrue(("\n" + text).contains("\n" + line + "\n"), () -> "no line '" + line + "' in:\n" + text);
    }

    private static final class FakeTarget implements MeteredTarget {
        private final String address;
        private volatile boolean up;
        private volatile int open;

        FakeTarget(String address, boolean up, int open) {
            this.address = address;
            this.up = up;
            this.open = open;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public boolean isUp() {
            return up;
        }

        @Override
        public int openRelays() {
            return open;
        }
    }
}
