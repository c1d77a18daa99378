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

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;

import static dev.splicerelay.examples.proxy.FuzzBytes.concat;
import static dev.splicerelay.examples.proxy.ProxyProtocolHeaderTest.bytes;
import static dev.splicerelay.examples.proxy.ProxyProtocolHeaderTest.v2Start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The PROXY protocol end to end: {@code --send-proxy} puts the header that HAProxy's specification defines for the
 * client's and the proxy's addresses in front of the relayed bytes, which still splice on epoll (where the forward
 * front needs no channel per client for it); and
 * {@code --accept-proxy} behind {@code --send-proxy} passes the original client's address on.
 */
@Timeout(120)
class ProxyProtocolIT {
    private static final Payload REQUEST = new Payload(61, 64L << 20);
    private static final Payload REPLY = new Payload(62, 1L << 20);
    private static final Payload SMALL = new Payload(63, 256 * 1024);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{index}: {0} on {1}")
    @CsvSource({"v1, epoll", "v2, epoll", "v1, nio", "v2, nio"})
    void sendsTheHeaderThenRelays64MiBByteExact(String version, String transport) throws Exception {
        assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "epoll is not available here");
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend(REPLY);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--send-proxy", version, "--transport", transport)) {
            String path = transport.equals("epoll") ? ", no channel per client"
                    : ", a channel per client (transport nio)";
            assertTrue(proxy.startupLine().endsWith(path), proxy.startupLine());
            int clientPort;
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                clientPort = client.getLocalPort();
                assertExchange(HashingBackend.exchange(client, REQUEST), REQUEST, REPLY);
            }
            byte[] expected = version.equals("v1")
                    ? ascii("PROXY TCP4 127.0.0.1 127.0.0.1 " + clientPort + " " + proxy.port() + "\r\n")
                    : concat(v2Start(0x11, 12), bytes(127, 0, 0, 1, 127, 0, 0, 1), port(clientPort),
                    port(proxy.port()));
            assertHeader(expected, backend.nextHeader());
            String mode = transport.equals("epoll") ? "SPLICE" : "COPY";
            assertTrue(proxy.awaitStderr(": " + mode + ", client->target " + REQUEST.length() + " B, target->client "
                    + (32 + REPLY.length()) + " B", Duration.ofSeconds(10)), proxy.stderr());
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @CsvSource({"v1", "v2"})
    void sendsTcp6ForAnIpv6Client(String version) throws Exception {
        assumeIpv6Loopback();
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend(REPLY);
             ProxyProcess proxy = ProxyProcess.start("--listen", "[::1]:0", "--target", backend.target(),
                     "--send-proxy", version)) {
            int clientPort;
            try (Socket client = new Socket(InetAddress.getByName("::1"), proxy.port())) {
                clientPort = client.getLocalPort();
                assertExchange(HashingBackend.exchange(client, SMALL), SMALL, REPLY);
            }
            byte[] loopback6 = new byte[16];
            loopback6[15] = 1;
            byte[] expected = version.equals("v1")
                    ? ascii("PROXY TCP6 ::1 ::1 " + clientPort + " " + proxy.port() + "\r\n")
                    : concat(v2Start(0x21, 36), loopback6, loopback6, port(clientPort), port(proxy.port()));
            assertHeader(expected, backend.nextHeader());
        }
    }

    @Test
    void sendsAUnixHeaderInVersion2ForAClientOnAUnixSocket() throws Exception {
        assumeTrue(Epoll.isAvailable(), "Unix domain sockets need epoll");
        Path listen = dir.resolve("proxy.sock");
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend(REPLY);
             ProxyProcess proxy = ProxyProcess.start("--listen", "unix:" + listen, "--target", backend.target(),
                     "--send-proxy", "v2")) {
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(listen));
                assertExchange(HashingBackend.exchange(client, SMALL), SMALL, REPLY);
            }
            byte[] destination = new byte[108];
            byte[] path = listen.toString().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(path, 0, destination, 0, path.length);
            // The client's socket has no name: an empty source path, all zeros.
            assertHeader(concat(v2Start(0x31, 216), new byte[108], destination), backend.nextHeader());
        }
    }

    /** client -> A (--send-proxy v2) -> B (--accept-proxy --send-proxy v1) -> target. */
    @Test
    void aSecondProxyBehindTheFirstPassesTheOriginalClientsAddressOn() throws Exception {
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend(REPLY);
             ProxyProcess second = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--accept-proxy", "--send-proxy", "v1");
             ProxyProcess first = ProxyProcess.start("--listen", "127.0.0.1:0", "--target",
                     "127.0.0.1:" + second.port(), "--send-proxy", "v2")) {
            int clientPort;
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), first.port())) {
                clientPort = client.getLocalPort();
                assertExchange(HashingBackend.exchange(client, REQUEST), REQUEST, REPLY);
            }
            assertHeader(ascii("PROXY TCP4 127.0.0.1 127.0.0.1 " + clientPort + " " + first.port() + "\r\n"),
                    backend.nextHeader());
            assertTrue(second.awaitStderr("relay 127.0.0.1:" + clientPort + " -> " + backend.target()
                    + " ended COMPLETED", Duration.ofSeconds(10)), second.stderr());
            if (Epoll.isAvailable()) {
                assertTrue(second.stderr().contains(": SPLICE, client->target " + REQUEST.length() + " B"),
                        second.stderr());
            }
        }
    }

    /**
     * {@code --send-proxy} across a {@code --handover} reload that changes it: the relay the old proxy holds keeps
     * the version 1 header it sent and ends byte-exact after the handover, and the successor sends new clients
     * version 2 headers.
     */
    @Test
    void aReloadChangesTheHeaderOfNewClientsOnly() throws Exception {
        assumeTrue(Epoll.isAvailable(), "--handover needs epoll");
        String handover = dir.resolve("handover.sock").toString();
        try (ProxyHeaderBackend backend = new ProxyHeaderBackend(REPLY);
             ProxyProcess old = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--send-proxy", "v1", "--handover", handover, "--status-interval", "0");
             Socket held = new Socket(InetAddress.getLoopbackAddress(), old.port())) {
            held.setSoTimeout(30_000);
            SMALL.writeTo(held.getOutputStream());
            assertHeader(ascii("PROXY TCP4 127.0.0.1 127.0.0.1 " + held.getLocalPort() + " " + old.port() + "\r\n"),
                    backend.nextHeader());
            try (ProxyProcess next = ProxyProcess.start("--listen", "127.0.0.1:" + old.port(), "--target",
                    backend.target(), "--send-proxy", "v2", "--handover", handover, "--status-interval", "0")) {
                assertTrue(old.awaitStderr("stops accepting", Duration.ofSeconds(10)), old.stderr());
                held.shutdownOutput();
                assertExchange(HashingBackend.Exchange.read(held.getInputStream()), SMALL, REPLY);
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), next.port())) {
                    int clientPort = client.getLocalPort();
                    assertExchange(HashingBackend.exchange(client, SMALL), SMALL, REPLY);
                    assertHeader(concat(v2Start(0x11, 12), bytes(127, 0, 0, 1, 127, 0, 0, 1), port(clientPort),
                            port(next.port())), backend.nextHeader());
                }
                assertEquals(0, old.awaitExit(Duration.ofSeconds(30)), old.stderr());
            }
        }
    }

    private static void assertExchange(HashingBackend.Exchange exchange, Payload request, Payload reply) {
        assertEquals(request.sha256(), exchange.requestDigest(), "what the target got after the header");
        assertEquals(reply.length(), exchange.reply().bytes());
        assertEquals(reply.sha256(), exchange.reply().sha256(), "what the client got");
    }

    private static void assertHeader(byte[] expected, byte[] actual) {
        HexFormat hex = HexFormat.of();
        assertEquals(hex.formatHex(expected), hex.formatHex(actual), () -> new String(actual,
                StandardCharsets.ISO_8859_1));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] port(int port) {
        return bytes(port >> 8, port & 0xFF);
    }

    private static void assumeIpv6Loopback() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            assumeTrue(probe.getLocalSocketAddress() instanceof InetSocketAddress);
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e);
        }
    }
}
