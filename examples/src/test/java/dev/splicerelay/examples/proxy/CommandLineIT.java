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

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The jar's command line: a bad one is a clear message on standard error and a non-zero exit status, before any
 * socket is bound.
 */
@Timeout(60)
class CommandLineIT {
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void helpPrintsTheUsage() throws Exception {
        try (ProxyProcess run = ProxyProcess.run(EXIT_TIMEOUT, "--help")) {
            assertEquals(0, run.awaitExit(EXIT_TIMEOUT));
            assertTrue(run.stdout().contains("--listen [HOST:]PORT|unix:PATH"), run.stdout());
            assertTrue(run.stdout().contains("it only replaces a stale socket"), run.stdout());
            assertTrue(run.stdout().contains("--balance roundrobin|leastconn|first"), run.stdout());
            assertTrue(run.stdout().contains("--send-proxy v1|v2"), run.stdout());
            for (String flag : List.of("--accept-proxy", "--metrics-listen [HOST:]PORT", "--access-log",
                    "--handover PATH", "--reuse-port", "--check-interval DURATION", "--fail-timeout DURATION")) {
                assertTrue(run.stdout().contains("\n  " + flag + " "), flag + " in:\n" + run.stdout());
            }
            assertTrue(run.stdout().contains("examples/README.md"), run.stdout());
        }
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception {
        assertUsageError("splice-proxy: unknown option: --frobnicate", "--listen", "0", "--target", "127.0.0.1:1",
                "--frobnicate");
    }

    @Test
    void badAddressesAreUsageErrors() throws Exception {
        assertUsageError("splice-proxy: --listen: port out of range", "--listen", "127.0.0.1:99999", "--target",
                "127.0.0.1:1");
        assertUsageError("splice-proxy: --target: expected HOST:PORT", "--listen", "0", "--target", "127.0.0.1");
        assertUsageError("splice-proxy: --allow: not a host name", "--listen", "0", "--front", "socks5", "--allow",
                "bad host:1");
    }

    @Test
    void badLoadBalancingAndProxyProtocolOptionsAreUsageErrors() throws Exception {
        assertUsageError("splice-proxy: --target: expected HOST:PORT", "--listen", "0", "--target",
                "127.0.0.1:1,,127.0.0.1:2");
        assertUsageError("splice-proxy: --balance expects one of roundrobin, leastconn, first", "--listen", "0",
                "--target", "127.0.0.1:1", "--balance", "random");
        assertUsageError("splice-proxy: --send-proxy expects v1 or v2, got 'v3'", "--listen", "0", "--target",
                "127.0.0.1:1", "--send-proxy", "v3");
        assertUsageError("splice-proxy: --check-fall expects a whole number of at least 1", "--listen", "0",
                "--target", "127.0.0.1:1", "--check-fall", "-2");
        assertUsageError("splice-proxy: --fail-timeout is for passive health alone", "--listen", "0", "--target",
                "127.0.0.1:1,127.0.0.1:2", "--check-interval", "1s", "--fail-timeout", "1m");
    }

    @Test
    void portInUseFailsToStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ProxyProcess run = ProxyProcess.run(EXIT_TIMEOUT, "--listen", String.valueOf(taken.getLocalPort()),
                     "--target", "127.0.0.1:1")) {
            assertEquals(1, run.awaitExit(EXIT_TIMEOUT));
            assertTrue(run.stderr().startsWith("splice-proxy: cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    run.stderr());
            assertTrue(run.stderr().contains("in use"), run.stderr());
            assertEquals("", run.stdout());
        }
    }

    /**
     * The proxy's event loops share their port with SO_REUSEPORT, which would let a second proxy of the same user
     * join it silently: it must fail instead, unless both ask for sharing with --reuse-port.
     */
    @Test
    void aSecondProxyOnThePortFailsUnlessBothAskForSharing() throws Exception {
        assumeTrue(Epoll.isAvailable(), "needs epoll (SO_REUSEPORT among event loops): " + Epoll.unavailabilityCause());
        try (ProxyProcess first = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", "127.0.0.1:1",
                "--transport", "epoll", "--threads", "2")) {
            String listen = "127.0.0.1:" + first.port();
            for (String threads : List.of("1", "2")) {
                try (ProxyProcess second = ProxyProcess.run(EXIT_TIMEOUT, "--listen", listen, "--target",
                        "127.0.0.1:1", "--transport", "epoll", "--threads", threads)) {
                    assertEquals(1, second.awaitExit(EXIT_TIMEOUT), second.stderr());
                    assertTrue(second.stderr().startsWith("splice-proxy: cannot listen on " + listen + ": "),
                            second.stderr());
                    assertTrue(second.stderr().contains("in use"), second.stderr());
                }
            }
        }
        try (ProxyProcess first = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", "127.0.0.1:1",
                "--transport", "epoll", "--threads", "1", "--reuse-port");
             ProxyProcess second = ProxyProcess.start("--listen", "127.0.0.1:" + first.port(), "--target",
                     "127.0.0.1:1", "--transport", "epoll", "--threads", "2", "--reuse-port")) {
            assertEquals(first.port(), second.port(), "sharing the port, as asked");
        }
    }

    private static void assertUsageError(String message, String... args) throws Exception {
        try (ProxyProcess run = ProxyProcess.run(EXIT_TIMEOUT, args)) {
            assertEquals(2, run.awaitExit(EXIT_TIMEOUT), run.stderr());
            assertTrue(run.stderr().startsWith(message), run.stderr());
            assertEquals("", run.stdout());
        }
    }
}
