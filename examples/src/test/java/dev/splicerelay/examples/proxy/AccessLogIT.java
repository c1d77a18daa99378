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

import dev.splicerelay.testing.DeadTargets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --access-log}: one line per ended relay, in the documented format, with exact byte counts. */
@Timeout(90)
class AccessLogIT {
    private static final Pattern LINE = Pattern.compile("INFO AccessLog - time=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"
            + "\\.\\d{3}Z client=127\\.0\\.0\\.1:(\\d+) listen=127\\.0\\.0\\.1:(\\d+) front=forward "
            + "target=127\\.0\\.0\\.1:(\\d+) mode=(splice|copy) engine=(io_handle|splice_to|-) bytes_to_target=(\\d+) "
            + "bytes_to_client=(\\d+) duration_ms=(\\d+) outcome=(\\w+) cause=(-|\"[^\"]*\"|\\S+)\\n");

    @Test
    void logsOneLinePerRelayWithExactByteCounts() throws Exception {
        Payload reply = new Payload(51, 70_000);
        List<Payload> requests = List.of(new Payload(52, 1), new Payload(53, 123_456), new Payload(54, 3L << 20));
        try (HashingBackend backend = new HashingBackend(reply, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--access-log", "--mode", "copy")) {
            Map<Integer, Payload> requestOfPort = new LinkedHashMap<>();
            for (Payload request : requests) {
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    requestOfPort.put(client.getLocalPort(), request);
                    assertEquals(request.sha256(), HashingBackend.exchange(client, request).requestDigest());
                }
            }
            assertTrue(proxy.awaitStderr(Pattern.compile("(INFO AccessLog - .*\\n(?s:.*)){" + requests.size() + "}"),
                    Duration.ofSeconds(10)), proxy.stderr());
            // Relays on different event loops may end, and log, in another order than their clients connected.
            Matcher matcher = LINE.matcher(proxy.stderr());
            List<Integer> loggedPorts = new ArrayList<>();
            while (matcher.find()) {
                int clientPort = Integer.parseInt(matcher.group(1));
                loggedPorts.add(clientPort);
                Payload request = requestOfPort.get(clientPort);
                assertTrue(request != null, "a line for a client that never connected: " + matcher.group());
                assertEquals(proxy.port(), Integer.parseInt(matcher.group(2)));
                assertEquals(backend.port(), Integer.parseInt(matcher.group(3)));
                assertEquals("copy", matcher.group(4));
                assertEquals("-", matcher.group(5), "no engine when copying");
                assertEquals(request.length(), Long.parseLong(matcher.group(6)), matcher.group());
                assertEquals(32 + reply.length(), Long.parseLong(matcher.group(7)), matcher.group());
                assertEquals("completed", matcher.group(9));
                assertEquals("-", matcher.group(10));
            }
            assertEquals(requestOfPort.keySet(), Set.copyOf(loggedPorts), proxy.stderr());
            assertEquals(requests.size(), loggedPorts.size(), proxy.stderr());
            assertEquals(requests.size(), proxy.stderr().split("INFO AccessLog - ", -1).length - 1, proxy.stderr());
        }
    }

    /** Behind another balancer ({@code --accept-proxy}) the client is the one its PROXY header names. */
    @Test
    void namesTheClientOfThePROXYHeader() throws Exception {
        Payload request = new Payload(56, 10_000);
        try (HashingBackend backend = new HashingBackend(new Payload(57, 100), Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--accept-proxy", "--access-log")) {
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                client.getOutputStream().write("PROXY TCP6 2001:db8::7 ::1 40001 8000\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertEquals(request.sha256(), HashingBackend.exchange(client, request).requestDigest());
            }
            Map<String, String> line = accessLogLine(proxy);
            assertEquals("[2001:db8::7]:40001", line.get("client"), proxy.stderr());
            assertEquals("127.0.0.1:" + proxy.port(), line.get("listen"), "the proxy's own address");
            assertEquals(backend.target(), line.get("target"));
            assertEquals(String.valueOf(request.length()), line.get("bytes_to_target"), "the header is not relayed");
        }
    }

    /** With several targets the line names the one the relay reached, not one a failed connect tried first. */
    @Test
    void namesTheTargetTheRelayReached() throws Exception {
        Payload request = new Payload(58, 1000);
        try (DeadTargets dead = new DeadTargets();
             HashingBackend backend = new HashingBackend(new Payload(59, 100), Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target",
                     dead.refused() + "," + backend.target(), "--balance", "first", "--access-log")) {
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertEquals(request.sha256(), HashingBackend.exchange(client, request).requestDigest());
            }
            assertEquals(backend.target(), accessLogLine(proxy).get("target"), proxy.stderr());
        }
    }

    @Test
    void logsAResetWithItsCause() throws Exception {
        try (HashingBackend backend = new HashingBackend(new Payload(55, 10), Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--access-log", "--metrics-listen", "0")) {
            HttpClient http = HttpClient.newHttpClient();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                client.getOutputStream().write(new byte[1000]);
                // Reset only once the relay runs (and has moved the bytes), not while the target still connects.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!http.send(HttpRequest.newBuilder(proxy.metricsUrl()).build(),
                        HttpResponse.BodyHandlers.ofString()).body()
                        .contains("splice_proxy_relayed_bytes_total{direction=\"client_to_target\"} 1000.0")) {
                    assertTrue(System.nanoTime() < deadline, "the relay did not move the client's bytes");
                    Thread.sleep(20);
                }
                client.setSoLinger(true, 0);
            }
            assertTrue(proxy.awaitStderr(Pattern.compile("INFO AccessLog - .* outcome=reset cause=\"[^\"]+\"\\n"),
                    Duration.ofSeconds(10)), proxy.stderr());
        }
    }

    /** The keys and values of the proxy's only access log line, once it is written. */
    private static Map<String, String> accessLogLine(ProxyProcess proxy) throws InterruptedException {
        Pattern line = Pattern.compile("INFO AccessLog - (.*)\n");
        assertTrue(proxy.awaitStderr(line, Duration.ofSeconds(10)), proxy.stderr());
        Matcher matcher = line.matcher(proxy.stderr());
        assertTrue(matcher.find());
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : matcher.group(1).split(" ")) {
            int equals = field.indexOf('=');
            fields.put(field.substring(0, equals), field.substring(equals + 1));
        }
        assertFalse(matcher.find(), "one line only: " + proxy.stderr());
        return fields;
    }
}
