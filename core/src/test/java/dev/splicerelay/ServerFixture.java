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
package dev.splicerelay;

import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * client (blocking socket) → {@link SpliceRelayServer} in the case's mode, on two event loops of its own → backend
 * (blocking server socket), on loopback: the server's side of tests that also run on channels with a
 * {@link RelayFixture}. Skips the test where the server cannot run (Netty 4.1, no epoll).
 */
final class ServerFixture implements TcpRelayFixture {
    private final EventLoopGroup group;
    private final ServerSocket backend;
    private final SpliceRelayServer server;
    private final BlockingQueue<RelayStats> ended = new LinkedBlockingQueue<>();
    /** Relays that ended before anyone asked for them, and relays asked for that have not ended yet, by client. */
    private final ConcurrentMap<SocketAddress, CompletableFuture<RelayStats>> endedByClient = new ConcurrentHashMap<>();
    private final ExecutorService executor = RelayFixture.newPeerThreads();

    /** @param relayCase {@link RelayCase#EPOLL_SPLICE_OWN} or {@link RelayCase#EPOLL_COPY}, the server's two modes */
    ServerFixture(RelayCase relayCase) throws IOException {
        if (relayCase != RelayCase.EPOLL_SPLICE_OWN && relayCase != RelayCase.EPOLL_COPY) {
            throw new IllegalArgumentException(relayCase + " is not a mode of SpliceRelayServer");
        }
        relayCase.assumeAvailable();
        group = relayCase.newGroup(2);
        try {
            String unavailable = SpliceRelayServer.unavailableReason(group);
            assumeTrue(unavailable == null, unavailable);
            InetAddress loopback = InetAddress.getLoopbackAddress();
            backend = new ServerSocket(0, 1024, loopback);
            backend.setSoTimeout(RelayFixture.IO_TIMEOUT_MILLIS);
            List<InetSocketAddress> targets = List.of((InetSocketAddress) backend.getLocalSocketAddress());
            server = SpliceRelayServer.builder()
                    .group(group)
                    .localAddress(new InetSocketAddress(loopback, 0))
                    .targets(client -> targets.iterator())
                    .config(relayCase.config().build())
                    .listener(new RelayServerListener() {
                        @Override
                        public void relayEnded(InetSocketAddress client, InetSocketAddress target, RelayStats stats) {
                            ended.add(stats);
                            CompletableFuture<RelayStats> asked =
                                    endedByClient.putIfAbsent(client, CompletableFuture.completedFuture(stats));
                            if (asked != null) {
                                endedByClient.remove(client, asked);
                                asked.complete(stats);
                            }
                        }
                    })
                    .bind();
        } catch (IOException | RuntimeException | Error e) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            throw e;
        }
    }

    @Override
    public Socket connect() throws IOException {
        Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
        socket.setSoTimeout(RelayFixture.IO_TIMEOUT_MILLIS);
        return socket;
    }

    @Override
    public Socket acceptBackend() throws IOException {
        Socket socket = backend.accept();
        socket.setSoTimeout(RelayFixture.IO_TIMEOUT_MILLIS);
        return socket;
    }

    @Override
    public RelayStats nextStats() throws InterruptedException {
        RelayStats stats = ended.poll(10, TimeUnit.SECONDS);
        assertNotNull(stats, "no relay ended within 10 s");
        return stats;
    }

    /**
     * The stats of the relay of {@code client} (a client socket's local address), once it has ended; for tests
     * whose relays run at once and end in any order. Each client's relay is asked for once.
     */
    Future<RelayStats> completionOf(SocketAddress client) {
        CompletableFuture<RelayStats> completion = endedByClient.computeIfAbsent(client, c -> new CompletableFuture<>());
        if (completion.isDone()) {
            endedByClient.remove(client, completion);
        }
        return completion;
    }

    @Override
    public <T> Future<T> async(Callable<T> task) {
        return executor.submit(task);
    }

    @Override
    public void close() throws Exception {
        executor.shutdownNow();
        try {
            server.close();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        } finally {
            backend.close();
        }
    }
}
