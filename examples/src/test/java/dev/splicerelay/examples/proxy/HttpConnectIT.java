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
import dev.splicerelay.testing.Streams;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code connect} front end to end: curl through it, tunnel bytes sent right behind the request, and an answer
 * followed by a close for every kind of bad request.
 */
@Timeout(60)
class HttpConnectIT {
    private static HttpBackend backend;
    private static DeadTargets dead;
    private static ProxyProcess proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new HttpBackend();
        dead = new DeadTargets();
        proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--front", "connect", "--allow",
                "127.0.0.1:" + backend.port() + ",localhost:" + backend.port() + "," + dead.refused()
                        + ",no-such-host.invalid:80," + dead.silent(),
                "--handshake-timeout", "1s", "--connect-timeout", "1s");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            dead.close();
            backend.close();
        }
    }

    @Test
    void curlTunnelsThroughConnect() throws Exception {
        Curl.assumeInstalled();
        Curl.Result result = Curl.run("--proxytunnel", "--proxy", "http://127.0.0.1:" + proxy.port(),
                "http://localhost:" + backend.port() + "/");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(HttpBackend.HELLO, result.stdout());
        String mode = Epoll.isAvailable() ? "SPLICE" : "COPY";
        String relayEnded = "-> localhost:" + backend.port() + " ended COMPLETED after";
        assertTrue(proxy.awaitStderr(relayEnded, Duration.ofSeconds(5)), proxy.stderr());
        assertTrue(proxy.stderr().contains(": " + mode + ", client->target"),
                "with its handlers gone the relay could splice:\n" + proxy.stderr());
    }

    @Test
    void curlGetsALargeBodyIntact() throws Exception {
        Curl.assumeInstalled();
        Path body = Files.createTempFile("splice-proxy-big", ".bin");
        try {
            Curl.Result result = Curl.run("--proxytunnel", "--proxy", "http://127.0.0.1:" + proxy.port(),
                    "--output", body.toString(), "http://127.0.0.1:" + backend.port() + "/big");
            assertEquals(0, result.exitCode(), result.stderr());
            assertEquals(HttpBackend.BIG.sha256(), Streams.sha256(Files.readAllBytes(body)));
        } finally {
            Files.delete(body);
        }
    }

    @ParameterizedTest(name = "{index}: end output early: {0}")
    @ValueSource(booleans = {false, true})
    void relaysTunnelBytesSentRightBehindTheRequestFirst(boolean endOutput) throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            client.send("CONNECT 127.0.0.1:" + backend.port() + " HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            if (endOutput) {
                client.endOutput();
            }
            String response = client.readToEndAscii();
            assertTrue(response.startsWith("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK\r\n"),
                    response);
            assertTrue(response.endsWith(HttpBackend.HELLO), response);
        }
    }

    @Test
    void answers405ToOtherMethods() throws Exception {
        String response = exchange("GET http://127.0.0.1:" + backend.port() + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), response);
        assertTrue(response.contains("\r\nAllow: CONNECT\r\n"), response);
    }

    @Test
    void answers400ToMalformedRequests() throws Exception {
        assertStatus(400, "hello proxy\r\n\r\n");
        assertStatus(400, "CONNECT 127.0.0.1 HTTP/1.1\r\n\r\n");
        assertStatus(400, "CONNECT 127.0.0.1:" + backend.port() + " HTTP/1.1\r\nbroken header\r\n\r\n");
        try (RawClient client = new RawClient(proxy.port())) {
            String cutShort = client.send("CONNECT 127.0.0.1:" + backend.port() + " HTTP/1.1\r\nHost:").endOutput()
                    .readToEndAscii();
            assertTrue(cutShort.startsWith("HTTP/1.1 400 Bad Request\r\n"), cutShort);
        }
    }

    @Test
    void answers403ToTargetsNotAllowed() throws Exception {
        assertStatus(403, "CONNECT 127.0.0.1:22 HTTP/1.1\r\n\r\n");
        assertStatus(403, "CONNECT 127.0.0.2:" + backend.port() + " HTTP/1.1\r\n\r\n");
    }

    @Test
    void answers502ToRefusedAndUnresolvableTargetsThen503WhileTheyAreDown() throws Exception {
        assertStatus(502, "CONNECT " + dead.refused() + " HTTP/1.1\r\n\r\n");
        assertStatus(502, "CONNECT no-such-host.invalid:80 HTTP/1.1\r\n\r\n");
        // The failed connects marked them down for --fail-timeout (10 s): no connect now, an answer at once.
        assertStatus(503, "CONNECT " + dead.refused() + " HTTP/1.1\r\n\r\n");
        assertTrue(proxy.stderr().contains("target " + dead.refused() + " is DOWN: connection refused"),
                proxy.stderr());
    }

    @Test
    void answers504ToTargetsThatDoNotAnswer() throws Exception {
        long start = System.nanoTime();
        assertStatus(504, "CONNECT " + dead.silent() + " HTTP/1.1\r\n\r\n");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void answers431ToOversizedHeads() throws Exception {
        assertStatus(431, "CONNECT 127.0.0.1:" + backend.port() + " HTTP/1.1\r\nX-Big: " + "x".repeat(9000)
                + "\r\n\r\n");
    }

    @Test
    void answersGarbageAndCloses() throws Exception {
        byte[] garbage = new byte[20_000];
        new Random(5).nextBytes(garbage);
        try (RawClient client = new RawClient(proxy.port())) {
            String response = client.send(garbage).readToEndAscii();
            assertTrue(response.startsWith("HTTP/1.1 400 ") || response.startsWith("HTTP/1.1 431 "), response);
        }
    }

    @Test
    void answers408WhenTheRequestDoesNotComeInTime() throws Exception {
        long start = System.nanoTime();
        try (RawClient client = new RawClient(proxy.port())) {
            String response = client.send("CONNECT 127.0.0.1:" + backend.port() + " HTTP/1.1\r\n").readToEndAscii();
            assertTrue(response.startsWith("HTTP/1.1 408 Request Timeout\r\n"), response);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 900 && millis < 10_000, "answered after " + millis + " ms; the limit is 1 s");
    }

    private static void assertStatus(int status, String request) throws Exception {
        String response = exchange(request);
        assertTrue(response.startsWith("HTTP/1.1 " + status + " "), () -> "for " + request.strip() + ": " + response);
        assertTrue(response.contains("\r\nConnection: close\r\n"), response);
    }

    private static String exchange(String request) throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            return client.send(request).readToEndAscii();
        }
    }
}
