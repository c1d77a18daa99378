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
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code socks5} front end to end: curl and the JDK's SOCKS client through it, a handshake pipelined in one
 * write, and the RFC 1928 reply (then a close) for every kind of bad request.
 */
@Timeout(60)
class Socks5IT {
    private static final byte[] GREETING = {5, 1, 0};
    private static final byte[] NO_AUTH_CHOSEN = {5, 0};

    private static HttpBackend httpBackend;
    private static HashingBackend hashingBackend;
    private static DeadTargets dead;
    private static ProxyProcess proxy;

    @BeforeAll
    static void start() throws Exception {
        httpBackend = new HttpBackend();
        hashingBackend = new HashingBackend(new Payload(11, 8L << 20), Duration.ZERO);
        dead = new DeadTargets();
        proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--front", "socks5", "--allow",
                "localhost:" + httpBackend.port() + ",127.0.0.1:" + httpBackend.port() + "," + hashingBackend.target()
                        + "," + dead.refused() + ",no-such-host.invalid:80," + dead.silent(),
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
            hashingBackend.close();
            httpBackend.close();
        }
    }

    @Test
    void curlConnectsByHostName() throws Exception {
        Curl.assumeInstalled();
        Curl.Result result = Curl.run("--socks5-hostname", "127.0.0.1:" + proxy.port(),
                "http://localhost:" + httpBackend.port() + "/");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(HttpBackend.HELLO, result.stdout());
        String mode = Epoll.isAvailable() ? "SPLICE" : "COPY";
        assertTrue(proxy.awaitStderr("-> localhost:" + httpBackend.port() + " ended COMPLETED after",
                Duration.ofSeconds(5)), proxy.stderr());
        assertTrue(proxy.stderr().contains(": " + mode + ", client->target"), proxy.stderr());
    }

    @Test
    void jdkSocksClientRelaysMegabytesBothWays() throws Exception {
        // The JDK's client tries SOCKS5 first and falls back to SOCKS4 only if the server refuses version 5; this
        // server speaks nothing else, so a working exchange means the JDK spoke SOCKS5.
        Payload request = new Payload(12, 16L << 20);
        Proxy socks = new Proxy(Proxy.Type.SOCKS, proxy.address());
        try (Socket client = new Socket(socks)) {
            client.connect(new InetSocketAddress("127.0.0.1", hashingBackend.port()), 10_000);
            HashingBackend.Exchange exchange = HashingBackend.exchange(client, request);
            assertEquals(request.sha256(), exchange.requestDigest());
            assertEquals(new Payload(11, 8L << 20).sha256(), exchange.reply().sha256());
        }
    }

    @Test
    void relaysAHandshakeAndDataPipelinedInOneWrite() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(GREETING);
        all.writeBytes(connect(1, 1, new byte[] {127, 0, 0, 1}, httpBackend.port()));
        all.writeBytes("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (RawClient client = new RawClient(proxy.port())) {
            byte[] response = client.send(all.toByteArray()).endOutput().readToEnd();
            assertArrayEquals(NO_AUTH_CHOSEN, Arrays.copyOfRange(response, 0, 2));
            assertEquals(5, response[2]);
            assertEquals(0, response[3], "SUCCESS");
            String http = new String(response, 12, response.length - 12, StandardCharsets.ISO_8859_1);
            assertTrue(http.startsWith("HTTP/1.1 200 OK\r\n") && http.endsWith(HttpBackend.HELLO), http);
        }
    }

    @Test
    void acceptsAnIpv6AddressForAnAllowedIpv4Target() throws Exception {
        byte[] ipv4Mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 127, 0, 0, 1};
        try (RawClient client = new RawClient(proxy.port())) {
            byte[] reply = client.send(GREETING).send(connect(1, 4, ipv4Mapped, httpBackend.port())).read(12);
            assertArrayEquals(NO_AUTH_CHOSEN, Arrays.copyOfRange(reply, 0, 2));
            assertEquals(0, reply[3], "SUCCESS: ::ffff:127.0.0.1 is 127.0.0.1, which --allow lists");
        }
    }

    @Test
    void closesOnAGreetingThatIsNotSocks5() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            assertEquals(0, client.send("GET / HTTP/1.1\r\n\r\n").readToEnd().length);
        }
        try (RawClient client = new RawClient(proxy.port())) {
            assertEquals(0, client.send(new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0}).readToEnd().length);
        }
    }

    @Test
    void answersUnacceptableWhenNoMethodWithoutAuthenticationIsOffered() throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            assertArrayEquals(new byte[] {5, (byte) 0xFF}, client.send(new byte[] {5, 1, 2}).readToEnd());
        }
    }

    @Test
    void answersEachFailureWithItsReplyCode() throws Exception {
        byte[] localhost = {127, 0, 0, 1};
        assertReply(0x07, connect(2, 1, localhost, httpBackend.port()));
        assertReply(0x07, connect(3, 1, localhost, httpBackend.port()));
        assertReply(0x02, connect(1, 1, localhost, 22));
        assertReply(0x05, connect(1, 1, localhost, portOf(dead.refused())));
        // The refused connect marked the target down for --fail-timeout (10 s): general failure, without a connect.
        assertReply(0x01, connect(1, 1, localhost, portOf(dead.refused())));
        assertReply(0x04, connect(1, 3, "no-such-host.invalid".getBytes(StandardCharsets.US_ASCII), 80));
        assertReply(0x04, connect(1, 1, localhost, portOf(dead.silent())));
        assertReply(0x08, connect(1, 5, localhost, httpBackend.port()));
        byte[] badVersion = connect(1, 1, localhost, httpBackend.port());
        badVersion[0] = 4;
        assertReply(0x01, badVersion);
    }

    @Test
    void closesAHandshakeThatDoesNotFinishInTime() throws Exception {
        long start = System.nanoTime();
        try (RawClient client = new RawClient(proxy.port())) {
            assertArrayEquals(NO_AUTH_CHOSEN, client.send(GREETING).send(new byte[] {5, 1}).readToEnd());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 900 && millis < 10_000, "closed after " + millis + " ms; the limit is 1 s");
    }

    /** A CONNECT (1), BIND (2) or UDP ASSOCIATE (3) request; address type 1 is IPv4, 3 a name and 4 IPv6. */
    private static byte[] connect(int command, int addressType, byte[] address, int port) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(new byte[] {5, (byte) command, 0, (byte) addressType});
        if (addressType == 3) {
            request.write(address.length);
        }
        request.writeBytes(address);
        request.write(port >> 8);
        request.write(port);
        return request.toByteArray();
    }

    private static void assertReply(int expectedStatus, byte[] command) throws Exception {
        try (RawClient client = new RawClient(proxy.port())) {
            byte[] response = client.send(GREETING).send(command).readToEnd();
            assertArrayEquals(NO_AUTH_CHOSEN, Arrays.copyOfRange(response, 0, 2));
            assertEquals(12, response.length, "method choice and one IPv4 reply, then the close");
            assertEquals(5, response[2]);
            assertEquals(expectedStatus, response[3], () -> "reply code for command " + Arrays.toString(command));
        }
    }

    private static int portOf(String hostPort) {
        return HostPort.parse(hostPort).port();
    }
}
