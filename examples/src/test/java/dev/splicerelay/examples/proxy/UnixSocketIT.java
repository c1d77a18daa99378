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

import dev.splicerelay.testing.ChannelStreams;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Unix domain sockets on either side of the proxy ({@code --listen unix:PATH}, {@code --target unix:PATH}), checked
 * with SHA-256 both ways and with the reply sent only after the client's end of stream, so that every case also
 * relays a half-close; and the socket file's life: a stale one replaced, anything else left alone, and the proxy's
 * own deleted when it stops.
 */
@Timeout(120)
class UnixSocketIT {
    private static final Payload REQUEST = new Payload(41, 32L << 20);
    private static final Payload REPLY = new Payload(42, 32L << 20);
    private static final Payload SMALL_REQUEST = new Payload(43, 8L << 20);
    private static final Payload SMALL_REPLY = new Payload(44, 4L << 20);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{index}: {0}")
    @ValueSource(strings = {"splice", "copy"})
    void relaysTcpClientsToAUnixTarget(String mode) throws Exception {
        assumeEpoll();
        try (HashingBackend backend = HashingBackend.unix(dir.resolve("backend.sock"), REPLY, Duration.ofMillis(200));
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--transport", "epoll", "--mode", mode, "--threads", "2")) {
            try (Socket client = new Socket(proxy.address().getAddress(), proxy.port())) {
                assertExchange(HashingBackend.exchange(client, REQUEST), REQUEST, REPLY);
            }
            assertRelayed(proxy, "-> " + backend.target(), mode, REQUEST, REPLY);
        }
    }

    @Test
    void relaysUnixClientsToATcpTargetAndDeletesTheSocketFileOnStop() throws Exception {
        assumeEpoll();
        Path listen = dir.resolve("proxy.sock");
        try (HashingBackend backend = new HashingBackend(SMALL_REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "unix:" + listen, "--target", backend.target(),
                     "--threads", "2")) {
            assertTrue(proxy.startupLine().startsWith("splice-proxy listening on unix:" + listen
                    + ", transport epoll (2 event loops, 1 listening sockets), mode auto, front forward to "
                    + backend.target()), proxy.startupLine());
            assertEquals(listen, proxy.unixPath());
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(listen))) {
                assertExchange(HashingBackend.exchange(client, SMALL_REQUEST), SMALL_REQUEST, SMALL_REPLY);
            }
            assertRelayed(proxy, "relay pid " + ProcessHandle.current().pid() + " on unix:" + listen + " -> "
                    + backend.target(), "splice", SMALL_REQUEST, SMALL_REPLY);
            proxy.terminate();
            assertEquals(143, proxy.awaitExit(EXIT_TIMEOUT), "128 + SIGTERM");
            assertFalse(Files.exists(listen), "the proxy deletes its socket file when it stops");
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @ValueSource(strings = {"splice", "copy"})
    void relaysUnixClientsToAUnixTarget(String mode) throws Exception {
        assumeEpoll();
        Path listen = dir.resolve("proxy.sock");
        try (HashingBackend backend = HashingBackend.unix(dir.resolve("backend.sock"), SMALL_REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "unix:" + listen, "--target", backend.target(),
                     "--mode", mode, "--threads", "1")) {
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(listen))) {
                assertExchange(HashingBackend.exchange(client, SMALL_REQUEST), SMALL_REQUEST, SMALL_REPLY);
            }
            assertRelayed(proxy, "-> " + backend.target(), mode, SMALL_REQUEST, SMALL_REPLY);
        }
    }

    @Test
    void connectFrontListensOnAUnixSocket() throws Exception {
        assumeEpoll();
        Path listen = dir.resolve("connect.sock");
        try (HashingBackend backend = new HashingBackend(SMALL_REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "unix:" + listen, "--front", "connect",
                     "--allow", backend.target(), "--threads", "1")) {
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(listen))) {
                ChannelStreams.out(client).write(("CONNECT " + backend.target() + " HTTP/1.1\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] established = "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                byte[] response = new byte[established.length];
                new DataInputStream(ChannelStreams.in(client)).readFully(response);
                assertArrayEquals(established, response, new String(response, StandardCharsets.US_ASCII));
                assertExchange(HashingBackend.exchange(client, SMALL_REQUEST), SMALL_REQUEST, SMALL_REPLY);
            }
            assertTrue(proxy.awaitStderr("-> " + backend.target() + " ended COMPLETED", Duration.ofSeconds(10)),
                    proxy.stderr());
        }
    }

    @Test
    void unixSocketsWithTheNioTransportAreUsageErrors() throws Exception {
        assertUsageError("splice-proxy: --listen unix:PATH needs the epoll transport, not nio",
                "--transport", "nio", "--listen", "unix:" + dir.resolve("x.sock"), "--target", "127.0.0.1:1");
        assertUsageError("splice-proxy: --target unix:PATH needs the epoll transport, not nio",
                "--transport", "nio", "--listen", "0", "--target", "unix:" + dir.resolve("x.sock"));
        assertFalse(Files.exists(dir.resolve("x.sock")));
    }

    @Test
    void aRegularFileAtTheListenPathIsLeftAlone() throws Exception {
        assumeEpoll();
        Path file = Files.writeString(dir.resolve("precious.txt"), "not a socket\n");
        try (ProxyProcess run = ProxyProcess.run(EXIT_TIMEOUT, "--listen", "unix:" + file,
                "--target", "127.0.0.1:1")) {
            assertEquals(1, run.awaitExit(EXIT_TIMEOUT), run.stderr());
            assertTrue(run.stderr().startsWith("splice-proxy: cannot listen on unix:" + file
                    + ": the path exists and is a regular file, not a socket; it was left as it is"), run.stderr());
            assertEquals("", run.stdout());
        }
        assertEquals("not a socket\n", Files.readString(file));
    }

    @Test
    void aStaleSocketFileIsReplacedButOneInUseIsNot() throws Exception {
        assumeEpoll();
        Path stale = dir.resolve("stale.sock");
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(stale)).close();
        assertTrue(Files.exists(stale), "the JDK leaves the socket file behind, as a killed proxy would");
        try (HashingBackend backend = new HashingBackend(SMALL_REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "unix:" + stale, "--target", backend.target())) {
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(stale))) {
                assertExchange(HashingBackend.exchange(client, SMALL_REQUEST), SMALL_REQUEST, SMALL_REPLY);
            }
        }

        Path live = dir.resolve("live.sock");
        try (HashingBackend other = HashingBackend.unix(live, SMALL_REPLY, Duration.ZERO);
             ProxyProcess run = ProxyProcess.run(EXIT_TIMEOUT, "--listen", "unix:" + live,
                     "--target", "127.0.0.1:1")) {
            assertEquals(1, run.awaitExit(EXIT_TIMEOUT), run.stderr());
            assertTrue(run.stderr().startsWith("splice-proxy: cannot listen on unix:" + live
                    + ": the path is a socket in use"), run.stderr());
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(live))) {
                assertExchange(HashingBackend.exchange(client, SMALL_REQUEST), SMALL_REQUEST, SMALL_REPLY);
            }
        }
    }

    private static void assumeEpoll() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
    }

    private static void assertExchange(HashingBackend.Exchange exchange, Payload request, Payload reply) {
        assertEquals(request.sha256(), exchange.requestDigest(), "what the target received");
        assertEquals(reply.length(), exchange.reply().bytes());
        assertEquals(reply.sha256(), exchange.reply().sha256(), "what the client received");
    }

    /** Waits for the proxy's DEBUG line for the relay named by {@code name}, ended in {@code mode} with every byte. */
    private static void assertRelayed(ProxyProcess proxy, String name, String mode, Payload request, Payload reply)
            throws InterruptedException {
        String counts = ": " + mode.toUpperCase(Locale.ROOT) + ", client->target " + request.length()
                + " B, target->client " + (32 + reply.length()) + " B";
        assertTrue(proxy.awaitStderr(Pattern.compile(Pattern.quote(name)
                + " ended COMPLETED after \\d+ ms" + Pattern.quote(counts)), Duration.ofSeconds(10)),
                proxy.stderr());
    }

    private static void assertUsageError(String message, String... args) throws Exception {
        try (ProxyProcess run = ProxyProcess.run(EXIT_TIMEOUT, args)) {
            assertEquals(2, run.awaitExit(EXIT_TIMEOUT), run.stderr());
            assertTrue(run.stderr().startsWith(message), run.stderr());
            assertEquals("", run.stdout());
        }
    }
}
