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
import dev.splicerelay.SpliceEngine;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(10)
class ProxyOptionsTest {
    @Test
    void defaults() throws UsageException {
        ProxyOptions options = ProxyOptions.parse(List.of("--listen", "8000", "--target", "127.0.0.1:9000"));
        InetSocketAddress listen = (InetSocketAddress) options.listen();
        assertEquals("127.0.0.1", listen.getAddress().getHostAddress());
        assertEquals(8000, listen.getPort());
        assertEquals(List.of(HostPort.parse("127.0.0.1:9000")), options.targets());
        assertEquals(Front.FORWARD, options.front());
        assertEquals(RelayMode.AUTO, options.mode());
        assertEquals(SpliceEngine.AUTO, options.relayConfig().spliceEngine());
        assertEquals(Transport.best(), options.transport());
        assertEquals(Runtime.getRuntime().availableProcessors(), options.threads());
        assertEquals(0, options.maxConnections());
        assertEquals(Duration.ofSeconds(60), options.idleTimeout());
        assertEquals(Duration.ofSeconds(5), options.connectTimeout());
        assertEquals(Duration.ofSeconds(10), options.handshakeTimeout());
        assertTrue(options.allow().isEmpty());
    }

    @Test
    void everyOptionInBothSpellings() throws UsageException {
        ProxyOptions options = ProxyOptions.parse(List.of("--listen=[::1]:0", "--front", "socks5",
                "--allow=a.example:1,127.0.0.1:2", "--mode", "copy", "--transport=nio", "--threads", "3",
                "--max-connections", "7", "--idle-timeout", "0", "--connect-timeout", "250ms",
                "--handshake-timeout", "2m", "--status-interval", "0", "--drain-timeout", "1h"));
        assertEquals(Front.SOCKS5, options.front());
        assertEquals(List.of(), options.targets());
        assertTrue(options.allow().targets().contains(HostPort.parse("a.example:1")));
        assertEquals(RelayMode.COPY, options.mode());
        assertEquals(Transport.NIO, options.transport());
        assertEquals(3, options.threads());
        assertEquals(7, options.maxConnections());
        assertEquals(Duration.ZERO, options.idleTimeout());
        assertEquals(Duration.ofMillis(250), options.connectTimeout());
        assertEquals(Duration.ofMinutes(2), options.handshakeTimeout());
        assertEquals(Duration.ofHours(1), options.drainTimeout());
        assertEquals(Duration.ZERO, options.relayConfig().idleTimeout());
    }

    @Test
    void loadBalancingAndProxyProtocolOptions() throws UsageException {
        ProxyOptions defaults = ProxyOptions.parse(List.of("--listen", "1", "--target", "h:1"));
        assertEquals(Balance.ROUNDROBIN, defaults.balance());
        assertEquals(HealthPolicy.DEFAULTS, defaults.health());
        assertEquals(null, defaults.sendProxy());
        assertFalse(defaults.acceptProxy());
        ProxyOptions options = ProxyOptions.parse(List.of("--listen", "1", "--target", "a:1, b:2,[::1]:3",
                "--balance", "leastconn", "--check-interval", "2s", "--check-fall", "5", "--check-rise=1",
                "--send-proxy", "v2", "--accept-proxy"));
        assertEquals(List.of(HostPort.parse("a:1"), HostPort.parse("b:2"), HostPort.parse("[::1]:3")),
                options.targets());
        assertEquals(Balance.LEASTCONN, options.balance());
        assertEquals(new HealthPolicy(Duration.ofSeconds(2), 5, 1, HealthPolicy.DEFAULTS.failTimeout()),
                options.health());
        assertEquals(HAProxyProtocolVersion.V2, options.sendProxy());
        assertTrue(options.acceptProxy());
        ProxyOptions passive = ProxyOptions.parse(List.of("--listen", "1", "--target", "a:1,b:2",
                "--fail-timeout", "30s"));
        assertEquals(new HealthPolicy(Duration.ZERO, 3, 2, Duration.ofSeconds(30)), passive.health());
        ProxyOptions socks5 = ProxyOptions.parse(List.of("--listen", "1", "--front", "socks5", "--allow", "h:1",
                "--check-interval", "1s", "--send-proxy", "v1"));
        assertEquals(HAProxyProtocolVersion.V1, socks5.sendProxy());
        assertTrue(socks5.health().activeChecks());
    }

    @Test
    void rejectsBadLoadBalancingAndProxyProtocolOptions() {
        assertUsageError("--target: expected HOST:PORT", "--listen", "1", "--target", "a:1,,b:2");
        assertUsageError("--target: expected HOST:PORT", "--listen", "1", "--target", "a:1,");
        assertUsageError("--target: a:1 is listed twice", "--listen", "1", "--target", "a:1,b:2,A:1");
        assertUsageError("--target: port 0 cannot be a target", "--listen", "1", "--target", "a:1,b:0");
        assertUsageError("--balance expects one of roundrobin, leastconn, first, got 'random'", "--listen", "1",
                "--target", "a:1", "--balance", "random");
        assertUsageError("--balance is for the forward front", "--listen", "1", "--front", "connect",
                "--allow", "a:1", "--balance", "first");
        assertUsageError("--send-proxy expects v1 or v2, got 'v3'", "--listen", "1", "--target", "a:1",
                "--send-proxy", "v3");
        assertUsageError("--accept-proxy takes no value", "--listen", "1", "--target", "a:1", "--accept-proxy=yes");
        assertUsageError("--check-fall expects a whole number of at least 1, got '-1'", "--listen", "1",
                "--target", "a:1", "--check-fall", "-1");
        assertUsageError("--check-rise expects a whole number of at least 1, got '0'", "--listen", "1",
                "--target", "a:1", "--check-rise", "0");
        assertUsageError("--check-interval expects a duration", "--listen", "1", "--target", "a:1",
                "--check-interval", "-1s");
        assertUsageError("--fail-timeout expects a duration", "--listen", "1", "--target", "a:1",
                "--fail-timeout", "soon");
    }

    @Test
    void rejectsHealthOptionsThatWouldBeIgnored() {
        assertUsageError("--check-fall and --check-rise count active health checks: they need --check-interval",
                "--listen", "1", "--target", "a:1,b:2", "--check-fall", "2");
        assertUsageError("--check-fall and --check-rise count active health checks: they need --check-interval",
                "--listen", "1", "--front", "socks5", "--allow", "a:1", "--check-rise", "5");
        assertUsageError("--fail-timeout is for passive health alone: with --check-interval a target that went "
                + "down comes back up by its checks", "--listen", "1", "--target", "a:1,b:2", "--check-interval",
                "1s", "--fail-timeout", "30s");
    }

    @Test
    void spliceEngineGoesIntoTheRelayConfig() throws UsageException {
        ProxyOptions options = ProxyOptions.parse(List.of("--listen", "1", "--target", "h:1", "--transport", "epoll",
                "--mode", "splice", "--splice-engine", "splice_to"));
        assertEquals(SpliceEngine.SPLICE_TO, options.relayConfig().spliceEngine());
        assertEquals(RelayMode.SPLICE, options.relayConfig().mode());
    }

    @Test
    void rejectsCommandLinesThatCannotWork() {
        assertUsageError("unknown option: --bogus", "--listen", "1", "--target", "h:1", "--bogus", "x");
        assertUsageError("unexpected argument: stray", "--listen", "1", "--target", "h:1", "stray");
        assertUsageError("--listen is required", "--target", "h:1");
        assertUsageError("--listen needs a value", "--target", "h:1", "--listen");
        assertUsageError("--listen is given more than once", "--listen", "1", "--listen", "2", "--target", "h:1");
        assertUsageError("--listen: port out of range", "--listen", "70000", "--target", "h:1");
        assertUsageError("--listen: not a host name", "--listen", "no such host:1", "--target", "h:1");
        assertUsageError("--front forward needs --target", "--listen", "1");
        assertUsageError("--target is for --front forward", "--listen", "1", "--front", "connect",
                "--target", "h:1");
        assertUsageError("--allow is for the connect and socks5 fronts", "--listen", "1", "--target", "h:1",
                "--allow", "h:1");
        assertUsageError("--front expects one of forward, connect, socks5", "--listen", "1", "--front", "http");
        assertUsageError("--mode splice needs the epoll transport", "--listen", "1", "--target", "h:1",
                "--mode", "splice", "--transport", "nio");
        assertUsageError("--splice-engine io_handle chooses how relays splice", "--listen", "1", "--target", "h:1",
                "--mode", "copy", "--splice-engine", "io_handle");
        assertUsageError("--splice-engine expects one of auto, io_handle, splice_to", "--listen", "1",
                "--target", "h:1", "--splice-engine", "netty");
        assertUsageError("--threads expects a whole number of at least 1", "--listen", "1", "--target", "h:1",
                "--threads", "0");
        assertUsageError("--idle-timeout expects a duration", "--listen", "1", "--target", "h:1",
                "--idle-timeout", "-5s");
        assertUsageError("--connect-timeout and --handshake-timeout must be above 0", "--listen", "1",
                "--target", "h:1", "--connect-timeout", "0");
    }

    @Test
    void channelPerClientIsAFlag() throws UsageException {
        assertFalse(ProxyOptions.parse(List.of("--listen", "1", "--target", "h:1")).channelPerClient());
        assertTrue(ProxyOptions.parse(List.of("--listen", "1", "--target", "h:1", "--channel-per-client"))
                .channelPerClient());
        assertUsageError("--channel-per-client takes no value", "--listen", "1", "--target", "h:1",
                "--channel-per-client=yes");
    }

    @Test
    void operationsOptions() throws UsageException {
        OperationsOptions none = ProxyOptions.parse(List.of("--listen", "8000", "--target", "h:1")).operations();
        assertEquals(new OperationsOptions(null, false, null, false), none);
        ProxyOptions options = ProxyOptions.parse(List.of("--listen", "8000", "--target", "h:1",
                "--metrics-listen", "9100", "--access-log", "--reuse-port"));
        assertEquals(new InetSocketAddress("127.0.0.1", 9100), options.operations().metricsListen());
        assertTrue(options.operations().accessLog());
        assertTrue(options.operations().reusePort());
        assertEquals(new InetSocketAddress("0.0.0.0", 9100), ProxyOptions.parse(List.of("--listen", "8000",
                "--target", "h:1", "--metrics-listen=0.0.0.0:9100")).operations().metricsListen());
        assertUsageError("--access-log takes no value", "--listen", "1", "--target", "h:1", "--access-log=yes");
        assertUsageError("--metrics-listen must not be the relayed port", "--listen", "8000", "--target", "h:1",
                "--metrics-listen", "127.0.0.1:8000");
        assertUsageError("--metrics-listen takes [HOST:]PORT, not a Unix socket", "--listen", "1", "--target", "h:1",
                "--metrics-listen", "unix:/tmp/m.sock");
        assertUsageError("--metrics-listen: port out of range", "--listen", "1", "--target", "h:1",
                "--metrics-listen", "70000");
        assertUsageError("--reuse-port is for TCP ports", "--listen", "unix:/tmp/a.sock", "--target", "h:1",
                "--reuse-port", "--transport", Transport.best().cliName());
        assertUsageError("--handover passes sockets between processes on the epoll transport only, not nio",
                "--listen", "1", "--target", "h:1", "--transport", "nio", "--handover", "/tmp/h.sock");
    }

    @Test
    void handoverPathIsAbsolute() throws UsageException {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        ProxyOptions options = ProxyOptions.parse(List.of("--listen", "1", "--target", "h:1", "--handover",
                "run/h.sock"));
        assertEquals(java.nio.file.Path.of("run/h.sock").toAbsolutePath(), options.operations().handover());
        assertUsageError("--handover: a Unix socket path has at most 107 bytes", "--listen", "1", "--target", "h:1",
                "--handover", "/" + "x".repeat(107));
    }

    @Test
    void unixSocketAddressesOnEpoll() throws UsageException {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        ProxyOptions forward = ProxyOptions.parse(List.of("--listen", "unix:/run/in.sock", "--target=unix:out.sock",
                "--transport", "epoll", "--threads", "3"));
        assertEquals(new DomainSocketAddress("/run/in.sock"), forward.listen());
        assertEquals(List.of(new UnixPath("out.sock")), forward.targets());
        assertEquals(3, forward.threads());
        ProxyOptions socks5 = ProxyOptions.parse(List.of("--listen", "unix:/run/in.sock", "--front", "socks5",
                "--allow", "127.0.0.1:1"));
        assertEquals(new DomainSocketAddress("/run/in.sock"), socks5.listen());
        assertUsageError("--allow: not a port number", "--listen", "1", "--front", "connect", "--allow",
                "unix:/run/out.sock");
    }

    @Test
    void ioUringCopiesTcpOnly() throws UsageException {
        assumeTrue(IoUring.isAvailable(), "io_uring is not available here");
        assertEquals(Transport.IO_URING, ProxyOptions.parse(List.of("--listen", "1", "--target", "h:1",
                "--transport", "io_uring")).transport());
        assertUsageError("--mode splice needs the epoll transport, not io_uring", "--listen", "1", "--target", "h:1",
                "--mode", "splice", "--transport", "io_uring");
        assertUsageError("--splice-engine io_handle chooses how relays splice", "--listen", "1", "--target", "h:1",
                "--splice-engine", "io_handle", "--transport", "io_uring");
        assertUsageError("--listen unix:PATH needs the epoll transport, not io_uring", "--listen", "unix:/tmp/a.sock",
                "--target", "h:1", "--transport", "io_uring");
    }

    @Test
    void unixSocketsNeedEpoll() {
        assertUsageError("--listen unix:PATH needs the epoll transport, not nio", "--listen", "unix:/tmp/a.sock",
                "--target", "h:1", "--transport", "nio");
        assertUsageError("--target unix:PATH needs the epoll transport, not nio", "--listen", "1",
                "--target", "unix:/tmp/a.sock", "--transport", "nio");
        assertUsageError("--listen: expected unix:PATH with a file path", "--listen", "unix:", "--target", "h:1");
        assertUsageError("--target: a Unix socket path has at most 107 bytes", "--listen", "1",
                "--target", "unix:/" + "x".repeat(107));
    }

    @Test
    void parsesSizesAndDurations() throws UsageException {
        assertEquals(256L << 20, OptionValues.size("--size", "256m"));
        assertEquals(1L << 30, OptionValues.size("--size", "1G"));
        assertEquals(12345, OptionValues.size("--size", "12345"));
        assertThrows(UsageException.class, () -> OptionValues.size("--size", "0"));
        assertThrows(UsageException.class, () -> OptionValues.size("--size", "lots"));
        assertEquals(Duration.ofSeconds(42), OptionValues.duration("--x", "42"));
        assertThrows(UsageException.class, () -> OptionValues.duration("--x", "5 s"));
    }

    private static void assertUsageError(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> ProxyOptions.parse(List.of(args)));
        assertTrue(e.getMessage().startsWith(expected), () -> "expected '" + expected + "...', got: " + e.getMessage());
    }
}
