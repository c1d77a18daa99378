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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code --handover PATH}: reloads under load lose no connection, and a handover that cannot work leaves the running
 * proxy serving.
 */
@Timeout(240)
class HandoverIT {
    private static final int CLIENTS = 32;
    private static final int RELOADS = 5;
    private static final Payload SHORT_REQUEST = new Payload(61, 1000);
    private static final Payload REPLY = new Payload(62, 2000);
    private static final long TRANSFER_BYTES = 64L << 20;

    private Path dir;
    private Path socket;

    @BeforeEach
    void tempDir() throws IOException {
        assumeTrue(Epoll.isAvailable(), "needs epoll: " + Epoll.unavailabilityCause());
        dir = Files.createTempDirectory("handover");
        socket = dir.resolve("handover.sock");
    }

    @AfterEach
    void deleteTempDir() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * 32 clients connect, send, read the answer and close, over and over, and two 64 MiB uploads run slowly, while
     * the proxy is reloaded 5 times: every connection succeeds, both uploads arrive byte-exact, and every old proxy
     * drains its relays and exits 0. Each new proxy takes the sockets without a channel per client.
     */
    @Test
    void fiveReloadsUnderLoadLoseNoConnection() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 2);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong exchanges = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<ProxyProcess> proxies = new ArrayList<>();
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO)) {
            proxies.add(ProxyProcess.start(args(backend, "127.0.0.1:0")));
            String listen = "127.0.0.1:" + proxies.get(0).port();
            int port = proxies.get(0).port();
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(pool.submit(() -> {
                    while (running.get()) {
                        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                            client.setSoTimeout(30_000);
                            HashingBackend.Exchange exchange = HashingBackend.exchange(client, SHORT_REQUEST);
                            if (!SHORT_REQUEST.sha256().equals(exchange.requestDigest())
                                    || !REPLY.sha256().equals(exchange.reply().sha256())) {
                                failures.add("corrupt exchange");
                            }
                            exchanges.incrementAndGet();
                        } catch (IOException e) {
                            failures.add(e.toString());
                        }
                    }
                }));
            }
            Payload upload = new Payload(63, TRANSFER_BYTES);
            List<Future<HashingBackend.Exchange>> transfers = new ArrayList<>();
            transfers.add(pool.submit(() -> slowUpload(port, upload)));
            for (int reload = 1; reload <= RELOADS; reload++) {
                Thread.sleep(1000);
                ProxyProcess next = ProxyProcess.start(args(backend, listen));
                proxies.add(next);
                assertTrue(next.startupLine().endsWith(", no channel per client"), next.startupLine());
                ProxyProcess previous = proxies.get(proxies.size() - 2);
                assertTrue(previous.awaitStderr("stops accepting", Duration.ofSeconds(10)), previous.stderr());
                if (reload == 1) {
                    transfers.add(pool.submit(() -> slowUpload(port, upload)));
                }
            }
            Thread.sleep(1000);
            running.set(false);
            for (Future<?> client : clients) {
                client.get(60, TimeUnit.SECONDS);
            }
            for (Future<HashingBackend.Exchange> transfer : transfers) {
                HashingBackend.Exchange exchange = transfer.get(120, TimeUnit.SECONDS);
                assertEquals(upload.sha256(), exchange.requestDigest(), "a 64 MiB upload across reloads");
                assertEquals(REPLY.sha256(), exchange.reply().sha256());
            }
            assertEquals(List.of(), List.copyOf(failures), exchanges + " exchanges succeeded");
            assertTrue(exchanges.get() >= 100, "only " + exchanges + " exchanges");
            for (ProxyProcess old : proxies.subList(0, proxies.size() - 1)) {
                assertEquals(0, old.awaitExit(Duration.ofSeconds(90)), old.stderr());
            }
        } finally {
            running.set(false);
            pool.shutdownNow();
            for (ProxyProcess proxy : proxies) {
                proxy.close();
            }
        }
    }

    /**
     * A proxy with a channel per client hands its sockets to one without, which hands them to one with: each serves,
     * and each old one drains and exits 0. The sockets are the same either way.
     */
    @Test
    void reloadsBetweenChannelsAndNoChannelsServeOnTheSameSockets() throws Exception {
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO);
             ProxyProcess first = ProxyProcess.start(withChannels(args(backend, "127.0.0.1:0")))) {
            String listen = "127.0.0.1:" + first.port();
            assertServes(first);
            try (ProxyProcess second = ProxyProcess.start(args(backend, listen))) {
                assertTrue(second.startupLine().endsWith(", no channel per client"), second.startupLine());
                assertEquals(0, first.awaitExit(Duration.ofSeconds(30)), first.stderr());
                assertServes(second);
                try (ProxyProcess third = ProxyProcess.start(withChannels(args(backend, listen)))) {
                    assertTrue(third.startupLine().endsWith(", a channel per client (--channel-per-client)"),
                            third.startupLine());
                    assertEquals(0, second.awaitExit(Duration.ofSeconds(30)), second.stderr());
                    assertServes(third);
                }
            }
        }
    }

    @Test
    void differentListenAddressesLeaveTheRunningProxyServing() throws Exception {
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO);
             ProxyProcess old = ProxyProcess.start(args(backend, "127.0.0.1:0"));
             ProxyProcess refused = ProxyProcess.run(Duration.ofSeconds(30), args(backend, "127.0.0.1:1"))) {
            assertEquals(1, refused.awaitExit(Duration.ofSeconds(30)), refused.stderr());
            assertTrue(refused.stderr().contains("splice-proxy: handover failed: the proxy at " + socket + " (pid "
                    + old.pid() + ") listens on 127.0.0.1:" + old.port() + ", not on 127.0.0.1:1; it keeps running"),
                    refused.stderr());
            assertTrue(old.awaitStderr("gave up (abort the listen addresses differ); still serving",
                    Duration.ofSeconds(10)), old.stderr());
            assertServes(old);
        }
    }

    @Test
    void aPathThatIsNoSpliceProxyIsAnError() throws Exception {
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(socket))) {
            CompletableFuture<Void> answer = CompletableFuture.runAsync(() -> {
                try (SocketChannel peer = other.accept()) {
                    // Reads the hello first: closing with it unread would reset the connection instead.
                    peer.read(ByteBuffer.allocate(HandoverOffer.MAX_LINE));
                    peer.write(ByteBuffer.wrap("HTTP/1.0 400 Bad Request\n".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (ProxyProcess run = ProxyProcess.run(Duration.ofSeconds(30), "--listen", "127.0.0.1:0", "--target",
                    "127.0.0.1:1", "--handover", socket.toString())) {
                assertEquals(1, run.awaitExit(Duration.ofSeconds(30)), run.stderr());
                assertTrue(run.stderr().contains("handover failed: --handover " + socket
                        + " is not served by a splice-proxy: it answered 'HTTP/1.0 400 Bad Request'"), run.stderr());
            }
            answer.get(10, TimeUnit.SECONDS);
        }
        Files.writeString(socket.resolveSibling("file"), "x");
        try (ProxyProcess run = ProxyProcess.run(Duration.ofSeconds(30), "--listen", "127.0.0.1:0", "--target",
                "127.0.0.1:1", "--handover", socket.resolveSibling("file").toString())) {
            assertEquals(1, run.awaitExit(Duration.ofSeconds(30)), run.stderr());
            assertTrue(run.stderr().contains("is a regular file, not a socket"), run.stderr());
        }
    }

    @Test
    void aStaleSocketIsReplacedAndAFreshProxyServesThePath() throws Exception {
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket)).close();
        assertTrue(Files.exists(socket), "a socket file nothing accepts on");
        try (HashingBackend backend = new HashingBackend(REPLY, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start(args(backend, "127.0.0.1:0"))) {
            assertServes(proxy);
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                assertTrue(probe.isConnected(), "the new proxy serves the handover socket");
            }
        }
        assertTrue(!Files.exists(socket), "deleted when the proxy stopped");
    }

    @Test
    void handoverNeedsEpoll() throws Exception {
        try (ProxyProcess run = ProxyProcess.run(Duration.ofSeconds(30), "--listen", "0", "--target", "127.0.0.1:1",
                "--transport", "nio", "--handover", socket.toString())) {
            assertEquals(2, run.awaitExit(Duration.ofSeconds(30)));
            assertTrue(run.stderr().startsWith("splice-proxy: --handover passes sockets between processes on the "
                    + "epoll transport only, not nio"), run.stderr());
        }
    }

    static String[] args(HashingBackend backend, String listen, Path socket) {
        return new String[] {"--listen", listen, "--target", backend.target(), "--transport", "epoll",
                "--threads", "2", "--handover", socket.toString(), "--drain-timeout", "120s",
                "--status-interval", "0"};
    }

    private static String[] withChannels(String[] args) {
        String[] with = Arrays.copyOf(args, args.length + 1);
        with[args.length] = "--channel-per-client";
        return with;
    }

    static void assertServes(ProxyProcess proxy) throws IOException {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            assertEquals(SHORT_REQUEST.sha256(), HashingBackend.exchange(client, SHORT_REQUEST).requestDigest());
        }
    }

    /** Uploads {@code upload} in 1 MiB writes 150 ms apart (about 10 s for 64 MiB), then reads the answer. */
    private String[] args(HashingBackend backend, String listen) {
        return args(backend, listen, socket);
    }

    private static HashingBackend.Exchange slowUpload(int port, Payload upload) throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(120_000);
            OutputStream slow = new FilterOutputStream(client.getOutputStream()) {
                private long sinceSleep;

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    sinceSleep += len;
                    if (sinceSleep >= 1 << 20) {
                        sinceSleep = 0;
                        try {
                            Thread.sleep(150);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                    }
                }
            };
            upload.writeTo(slow);
            client.shutdownOutput();
            return HashingBackend.Exchange.read(client.getInputStream());
        }
    }
}
