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
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code forward} front end to end: large transfers checked with SHA-256 in each mode and transport, with the
 * reply sent only after the client's end of stream (so every case also relays a half-close).
 */
@Timeout(120)
class ForwardIT {
    private static final Payload REQUEST = new Payload(1, 64L << 20);
    private static final Payload REPLY = new Payload(2, 32L << 20);

    @ParameterizedTest(name = "{index}: {0} {1} {2}")
    @CsvSource({"epoll, splice, io_handle", "epoll, splice, splice_to", "epoll, copy, auto", "io_uring, copy, auto",
            "io_uring, auto, auto", "nio, copy, auto"})
    void relays64MiBThenA32MiBReplyAfterTheClientEndedItsSide(String transport, String mode, String engine)
            throws Exception {
        assumeAvailable(transport);
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ofMillis(200));
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--transport", transport, "--mode", mode, "--splice-engine", engine, "--threads", "2")) {
            try (Socket client = new Socket(proxy.address().getAddress(), proxy.port())) {
                HashingBackend.Exchange exchange = HashingBackend.exchange(client, REQUEST);
                assertEquals(REQUEST.sha256(), exchange.requestDigest(), "what the target received");
                assertEquals(REPLY.length(), exchange.reply().bytes());
                assertEquals(REPLY.sha256(), exchange.reply().sha256(), "what the client received");
            }
            // AUTO splices only on epoll; anywhere else it copies.
            String ran = mode.equals("auto") && !transport.equals("epoll") ? "copy" : mode;
            String relayLine = ": " + ran.toUpperCase(Locale.ROOT) + ", client->target " + REQUEST.length()
                    + " B, target->client " + (32 + REPLY.length()) + " B" + engineSuffix(engine);
            assertTrue(proxy.awaitStderr(relayLine, Duration.ofSeconds(10)), proxy.stderr());
            assertTrue(proxy.stderr().contains("ended COMPLETED"), proxy.stderr());
        }
    }

    /**
     * A target that accepts and then never reads or answers: the client's bytes still reach it (they fit in the
     * socket buffers), nothing comes back, and the idle timeout closes both sides cleanly.
     */
    @ParameterizedTest(name = "{index}: {0} {1} {2}")
    @CsvSource({"epoll, splice, io_handle", "epoll, splice, splice_to", "epoll, copy, auto", "io_uring, copy, auto",
            "io_uring, auto, auto", "nio, copy, auto"})
    void aTargetThatAcceptsAndNeverAnswersIsEndedByTheIdleTimeout(String transport, String mode, String engine)
            throws Exception {
        assumeAvailable(transport);
        byte[] request = new byte[64 * 1024];
        try (ServerSocket mute = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target",
                     "127.0.0.1:" + mute.getLocalPort(), "--transport", transport, "--mode", mode,
                     "--splice-engine", engine, "--idle-timeout", "1s")) {
            mute.setSoTimeout(10_000);
            try (Socket client = new Socket(proxy.address().getAddress(), proxy.port());
                 Socket target = mute.accept()) {
                client.setSoTimeout(10_000);
                long sentAt = System.nanoTime();
                client.getOutputStream().write(request);
                assertEquals(-1, client.getInputStream().read(), "the client gets the end of stream");
                long millis = Duration.ofNanos(System.nanoTime() - sentAt).toMillis();
                assertTrue(millis >= 900 && millis < 3000, "closed " + millis + " ms after the last byte");
                target.setSoTimeout(10_000);
                assertEquals(request.length, target.getInputStream().readAllBytes().length,
                        "the target got every byte, then the end of stream");
            }
            assertTrue(proxy.awaitStderr("ended IDLE_TIMEOUT", Duration.ofSeconds(5)), proxy.stderr());
            String suffix = engineSuffix(engine);
            assertTrue(suffix.isEmpty() ? !proxy.stderr().contains(", engine ") : proxy.stderr().contains(suffix),
                    proxy.stderr());
        }
    }

    /**
     * On epoll the forward front relays its clients' sockets without a Netty channel each, unless
     * {@code --channel-per-client} asks for one; the startup line says which, and either way a transfer each way
     * arrives whole.
     */
    @ParameterizedTest(name = "{index}: channel per client {0}")
    @ValueSource(booleans = {false, true})
    void relaysWithoutAChannelPerClientUnlessAskedFor(boolean channelPerClient) throws Exception {
        assumeAvailable("epoll");
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--transport", "epoll"));
        if (channelPerClient) {
            args.add("--channel-per-client");
        }
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO)) {
            args.addAll(List.of("--target", backend.target()));
            try (ProxyProcess proxy = ProxyProcess.start(args.toArray(String[]::new))) {
                String expected = channelPerClient ? ", a channel per client (--channel-per-client)"
                        : ", no channel per client";
                assertTrue(proxy.startupLine().endsWith(expected), proxy.startupLine());
                try (Socket client = new Socket(proxy.address().getAddress(), proxy.port())) {
                    HashingBackend.Exchange exchange = HashingBackend.exchange(client, REQUEST);
                    assertEquals(REQUEST.sha256(), exchange.requestDigest(), "what the target received");
                    assertEquals(REPLY.sha256(), exchange.reply().sha256(), "what the client received");
                }
                assertTrue(proxy.awaitStderr("ended COMPLETED", Duration.ofSeconds(10)), proxy.stderr());
            }
        }
    }

    /**
     * A target given by name is resolved per connect (off the event loop) and relayed to without a channel per
     * client; the relay's log line names the target as it was given.
     */
    @Test
    void aTargetGivenByNameIsRelayedWithoutAChannelPerClient() throws Exception {
        assumeAvailable("epoll");
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--transport", "epoll",
                     "--target", "localhost:" + backend.port())) {
            assertTrue(proxy.startupLine().endsWith(", no channel per client"), proxy.startupLine());
            try (Socket client = new Socket(proxy.address().getAddress(), proxy.port())) {
                HashingBackend.Exchange exchange = HashingBackend.exchange(client, REQUEST);
                assertEquals(REQUEST.sha256(), exchange.requestDigest(), "what the target received");
                assertEquals(REPLY.sha256(), exchange.reply().sha256(), "what the client received");
            }
            assertTrue(proxy.awaitStderr("-> localhost:" + backend.port() + " ended COMPLETED", Duration.ofSeconds(10)),
                    proxy.stderr());
        }
    }

    private static void assumeAvailable(String transport) {
        assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "epoll is not available here");
        assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "io_uring is not available here");
    }

    /** How the proxy's per-relay line names the splice engine after the byte counts: not at all when it copied. */
    private static String engineSuffix(String engine) {
        return engine.equals("auto") ? "" : ", engine " + engine.toUpperCase(Locale.ROOT);
    }

    /**
     * {@code --threads 2} on epoll binds two listening sockets with SO_REUSEPORT, so the kernel spreads clients over
     * both event loops, and each relay splices on the loop that accepted its client (a relay spanning two loops
     * would have to copy). The relay lines carry the thread name, which shows both loops at work.
     */
    @Test
    void spreadsClientsOverEventLoopsAndSplicesEachOnItsOwnLoop() throws Exception {
        assumeTrue(Epoll.isAvailable(), "needs epoll: " + Epoll.unavailabilityCause());
        Payload request = new Payload(3, 4L << 20);
        Payload reply = new Payload(4, 1L << 20);
        int connections = 16;
        ExecutorService clients = Executors.newFixedThreadPool(connections);
        try (HashingBackend backend = new HashingBackend(reply, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.startWithJvmOptions(
                     List.of("-Dorg.slf4j.simpleLogger.showThreadName=true"), "--listen", "127.0.0.1:0",
                     "--target", backend.target(), "--transport", "epoll", "--threads", "2")) {
            assertTrue(proxy.startupLine().contains("transport epoll (2 event loops, 2 listening sockets)"),
                    proxy.startupLine());
            List<Future<HashingBackend.Exchange>> exchanges = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                exchanges.add(clients.submit(() -> {
                    try (Socket client = new Socket(proxy.address().getAddress(), proxy.port())) {
                        return HashingBackend.exchange(client, request);
                    }
                }));
            }
            for (Future<HashingBackend.Exchange> exchange : exchanges) {
                assertEquals(request.sha256(), exchange.get().requestDigest());
                assertEquals(reply.sha256(), exchange.get().reply().sha256());
            }
            Pattern relayLine = Pattern.compile("\\[([^\\]]+)] DEBUG \\S+ - relay .* ended COMPLETED after \\d+ ms: "
                    + "SPLICE, client->target " + request.length() + " B");
            List<String> loops = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (loops.size() < connections && System.nanoTime() - deadline < 0) {
                Thread.sleep(50);
                loops.clear();
                Matcher matcher = relayLine.matcher(proxy.stderr());
                while (matcher.find()) {
                    loops.add(matcher.group(1));
                }
            }
            assertEquals(connections, loops.size(), proxy.stderr());
            assertEquals(2, new HashSet<>(loops).size(), proxy.stderr());
        } finally {
            clients.shutdownNow();
        }
    }
}
