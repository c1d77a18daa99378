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

import dev.splicerelay.testing.Await;
import dev.splicerelay.testing.DeadTargets;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code --metrics-listen}: {@code /metrics} scraped before and after known traffic, parsed with the Prometheus
 * Python client's parser, every splice-proxy counter checked exactly.
 */
@Timeout(120)
class MetricsIT {
    private static final Duration AWAIT = Duration.ofSeconds(20);
    private static final Payload REPLY = new Payload(41, 100_000);
    private static final int RELAYS = 5;
    private static final int HELD = 3;
    private static final byte[] HELD_REQUEST = new byte[100];
    private static final int RESET_BYTES = 5000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void countsRelaysBytesRefusalsAndResetsExactly() throws Exception {
        assumeTrue(Epoll.isAvailable(), "needs epoll (relays splice): " + Epoll.unavailabilityCause());
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--transport", "epoll", "--threads", "2", "--max-connections", String.valueOf(HELD),
                     "--metrics-listen", "0")) {
            URI metrics = proxy.metricsUrl();
            assertEquals("127.0.0.1", metrics.getHost(), "a port alone means 127.0.0.1");
            Map<String, Double> before = scrape(metrics);
            for (String counter : List.of("splice_proxy_connections_accepted_total{}",
                    "splice_proxy_connections_refused_total{reason=max_connections}",
                    "splice_proxy_relays_ended_total{mode=splice,outcome=completed}",
                    "splice_proxy_relayed_bytes_total{direction=client_to_target}")) {
                assertEquals(0.0, before.get(counter), counter + " before any traffic");
            }

            long toTarget = 0;
            for (int i = 0; i < RELAYS; i++) {
                Payload request = new Payload(42 + i, 10_000 + 1000 * i);
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    HashingBackend.Exchange exchange = HashingBackend.exchange(client, request);
                    assertEquals(request.sha256(), exchange.requestDigest());
                    assertEquals(REPLY.sha256(), exchange.reply().sha256());
                }
                toTarget += request.length();
            }

            // HELD clients open (their relays wait for the client's end), so one more is refused.
            List<RawClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < HELD; i++) {
                    held.add(new RawClient(proxy.port()).send(HELD_REQUEST));
                }
                Await.until(AWAIT, () -> backend.accepted() == RELAYS + HELD, "the held relays to reach the backend");
                try (RawClient refused = new RawClient(proxy.port())) {
                    assertEquals(0, refused.readToEnd().length, "closed at once");
                }
                for (RawClient client : held) {
                    client.endOutput();
                    assertEquals(32 + REPLY.length(), client.readToEnd().length);
                    toTarget += HELD_REQUEST.length;
                }
            } finally {
                for (RawClient client : held) {
                    client.close();
                }
            }

            // One client resets its relay once RESET_BYTES of its bytes have gone through.
            long relayedBeforeReset = toTarget;
            Await.until(AWAIT, () -> clientToTarget(metrics) == relayedBeforeReset,
                    "the held relays' bytes to be counted");
            try (Socket resetting = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                resetting.getOutputStream().write(new byte[RESET_BYTES]);
                Await.until(AWAIT, () -> clientToTarget(metrics) == relayedBeforeReset + RESET_BYTES,
                        "the live count to show the resetting client's bytes");
                resetting.setSoLinger(true, 0);
            }
            toTarget += RESET_BYTES;
            int completed = RELAYS + HELD;
            Await.until(AWAIT, () -> value(metrics, "splice_proxy_relays_ended_total{mode=splice,outcome=reset}") == 1
                    && value(metrics, "splice_proxy_connections_open{}") == 0, "the reset relay to end");

            Map<String, Double> after = scrape(metrics);
            long toClient = completed * (32 + REPLY.length());
            assertCounter(after, "splice_proxy_connections_accepted_total{}", completed + 1);
            assertCounter(after, "splice_proxy_connections_refused_total{reason=max_connections}", 1);
            assertCounter(after, "splice_proxy_connections_refused_total{reason=allow_list}", 0);
            assertCounter(after, "splice_proxy_connections_refused_total{reason=handshake}", 0);
            assertCounter(after, "splice_proxy_relays_ended_total{mode=splice,outcome=completed}", completed);
            assertCounter(after, "splice_proxy_relays_ended_total{mode=splice,outcome=reset}", 1);
            for (String other : List.of("mode=copy,outcome=completed", "mode=copy,outcome=reset",
                    "mode=splice,outcome=error", "mode=splice,outcome=idle_timeout", "mode=splice,outcome=start_failed")) {
                assertCounter(after, "splice_proxy_relays_ended_total{" + other + "}", 0);
            }
            assertCounter(after, "splice_proxy_relays_ended_bytes_total{direction=client_to_target,mode=splice}",
                    toTarget);
            assertCounter(after, "splice_proxy_relays_ended_bytes_total{direction=target_to_client,mode=splice}",
                    toClient);
            assertCounter(after, "splice_proxy_relays_ended_bytes_total{direction=client_to_target,mode=copy}", 0);
            assertCounter(after, "splice_proxy_relayed_bytes_total{direction=client_to_target}", toTarget);
            assertCounter(after, "splice_proxy_relayed_bytes_total{direction=target_to_client}", toClient);
            assertCounter(after, "splice_proxy_relays_open{}", 0);
            assertCounter(after, "splice_proxy_connections_open{}", 0);
            assertTrue(after.get("splice_proxy_pipes{}") >= 1, "splice pipes, pooled: " + after);
            assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes{")), "JVM memory");
            assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_gc_")), "JVM GC");
            assertTrue(after.get("process_files_open_files{}") > 0, "open files");
        }
    }

    /**
     * Two targets, the first refusing: its first client's connect fails over to the second, which marks the first
     * down; from then on every client goes to the second. Each target's health, open relays, transitions and connect
     * failures are reported under its own name, the failure counted once.
     */
    @Test
    void reportsEachTargetsHealthAndConnectFailures() throws Exception {
        try (DeadTargets dead = new DeadTargets();
             HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target",
                     dead.refused() + "," + backend.target(), "--balance", "first", "--fail-timeout", "10m",
                     "--metrics-listen", "0")) {
            URI metrics = proxy.metricsUrl();
            String down = "{target=" + dead.refused() + "}";
            String live = "{target=" + backend.target() + "}";
            Map<String, Double> before = scrape(metrics);
            assertCounter(before, "splice_proxy_target_up" + down, 1);
            assertCounter(before, "splice_proxy_target_up" + live, 1);
            assertCounter(before, "splice_proxy_target_transitions_total{state=down,target=" + dead.refused() + "}",
                    0);

            for (int i = 0; i < RELAYS; i++) {
                Payload request = new Payload(70 + i, 1000);
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    assertEquals(request.sha256(), HashingBackend.exchange(client, request).requestDigest());
                }
            }
            try (RawClient held = new RawClient(proxy.port()).send(HELD_REQUEST)) {
                Await.until(AWAIT, () -> value(metrics, "splice_proxy_target_relays_open" + live) == 1,
                        "the held relay to count at the live target");
                Map<String, Double> after = scrape(metrics);
                assertCounter(after, "splice_proxy_target_up" + down, 0);
                assertCounter(after, "splice_proxy_target_up" + live, 1);
                assertCounter(after, "splice_proxy_target_relays_open" + down, 0);
                assertCounter(after, "splice_proxy_target_transitions_total{state=down,target=" + dead.refused()
                        + "}", 1);
                assertCounter(after, "splice_proxy_target_transitions_total{state=down,target=" + backend.target()
                        + "}", 0);
                assertCounter(after, "splice_proxy_target_connect_failures_total{reason=refused,target="
                        + dead.refused() + "}", 1);
                assertTrue(after.keySet().stream().noneMatch(k -> k.startsWith(
                        "splice_proxy_target_connect_failures_total{") && k.endsWith(backend.target() + "}")),
                        "connect failures at the live target: " + after);
                held.endOutput();
                assertEquals(32 + REPLY.length(), held.readToEnd().length);
            }
            assertEquals(RELAYS + 1, backend.accepted(), "every client reached the live target");
        }
    }

    /**
     * The refusals that the PROXY protocol and target health add: a bad header under {@code --accept-proxy} is
     * refused for {@code proxy_header}, a client that finds every target down for {@code no_target}.
     */
    @Test
    void countsBadProxyHeadersAndClientsWithNoTargetUpAsRefused() throws Exception {
        String header = "PROXY TCP4 192.0.2.7 127.0.0.1 40001 8000\r\n";
        try (DeadTargets dead = new DeadTargets();
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", dead.refused(),
                     "--accept-proxy", "--fail-timeout", "10m", "--metrics-listen", "0")) {
            URI metrics = proxy.metricsUrl();
            try (RawClient badHeader = new RawClient(proxy.port())) {
                assertEquals(0, badHeader.send("PROXY TCP9 192.0.2.7 127.0.0.1 40001 8000\r\n").readToEnd().length,
                        "closed without an answer");
            }
            // A good header, but the only target refuses: the connect fails and marks it down...
            try (RawClient first = new RawClient(proxy.port())) {
                assertEquals(0, first.send(header).readToEnd().length);
            }
            // ...so the next client finds no target up.
            try (RawClient second = new RawClient(proxy.port())) {
                assertEquals(0, second.send(header).readToEnd().length);
            }
            Await.until(AWAIT, () -> value(metrics, "splice_proxy_connections_open{}") == 0,
                    "every client to be closed");
            Map<String, Double> after = scrape(metrics);
            assertCounter(after, "splice_proxy_connections_accepted_total{}", 3);
            assertCounter(after, "splice_proxy_connections_refused_total{reason=proxy_header}", 1);
            assertCounter(after, "splice_proxy_connections_refused_total{reason=no_target}", 1);
            assertCounter(after, "splice_proxy_connections_refused_total{reason=handshake}", 0);
            assertCounter(after, "splice_proxy_target_connect_failures_total{reason=refused,target=" + dead.refused()
                    + "}", 1);
            assertCounter(after, "splice_proxy_relays_open{}", 0);
        }
    }

    @Test
    void servesMetricsAndNothingElse() throws Exception {
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--metrics-listen", "127.0.0.1:0")) {
            URI metrics = proxy.metricsUrl();
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertEquals(MetricsHttpHandler.CONTENT_TYPE, ok.headers().firstValue("content-type").orElse(""));
            assertEquals(404, http.send(HttpRequest.newBuilder(metrics.resolve("/")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(404, http.send(HttpRequest.newBuilder(metrics.resolve("/metricsx")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(metrics)
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("allow").orElse(""));
            assertTrue(metrics.getPort() != proxy.port());
        }
    }

    private Map<String, Double> scrape(URI metrics) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return PrometheusText.parse(response.body());
    }

    /**
     * The live byte counters still count after a garbage collection in the proxy: Micrometer holds a function
     * counter's object weakly, and once it is collected reports the last value it read for ever.
     */
    @Test
    void relayedBytesAreCountedAfterAGarbageCollectionInTheProxy() throws Exception {
        Payload request = new Payload(7, 50_000);
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--metrics-listen", "0")) {
            URI metrics = proxy.metricsUrl();
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(proxy.pid()), "GC.run").redirectErrorStream(true).start();
            assertEquals(0, gc.waitFor(), () -> "jcmd GC.run: " + output(gc));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertEquals(request.sha256(), HashingBackend.exchange(client, request).requestDigest());
            }
            Await.until(AWAIT, () -> clientToTarget(metrics) == request.length(), "the request's bytes counted");
        }
    }

    private static String output(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private double value(URI metrics, String sample) {
        try {
            return scrape(metrics).getOrDefault(sample, Double.NaN);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long clientToTarget(URI metrics) {
        return (long) value(metrics, "splice_proxy_relayed_bytes_total{direction=client_to_target}");
    }

    private static void assertCounter(Map<String, Double> samples, String sample, long expected) {
        assertEquals(Double.valueOf(expected), samples.get(sample), sample);
    }
}
