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

import dev.splicerelay.testing.Streams;
import dev.splicerelay.testing.Streams.Transfer;
import dev.splicerelay.testing.TestSocket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer on another event loop reads on its own thread while the relay's loop is busy, and epoll reads a FIN and the
 * bytes before it even with {@code AUTO_READ} off. A peer connected with
 * {@link RelayBootstrap#connect(Channel, io.netty.bootstrap.Bootstrap, java.net.SocketAddress)} reads nothing before
 * the relay holds it; what it reads before the relay's loop has started the relay reaches the client in order, its FIN
 * after its bytes; a FIN an already connected peer read before the relay was added ends its direction; and the relay
 * completes only once the peer, which closes on its own loop, has closed. Each test holds a loop at the moment that
 * matters.
 */
@Timeout(30)
class PeerOnAnotherLoopTest {
    private static final RelayCase TWO_LOOPS = RelayCase.EPOLL_TWO_LOOPS;
    private static final long GREETING = 100_000;
    private static final long REQUEST = 1 << 20;

    @Test
    void aPeerConnectedWithRelayBootstrapReadsNothingBeforeTheRelayHoldsIt() throws Exception {
        assertGreetingAndFinReachTheClient((fixture, inbound) -> {
            ChannelFuture connect = fixture.connectPeer(inbound);
            // The relay is added late in the task that connects; a peer that had connected would read meanwhile.
            hold(() -> !connect.channel().isOpen() || Channels.isInputShutdown(connect.channel()), 1000);
            fixture.relay(inbound, TWO_LOOPS.config().build(), connect);
        });
    }

    @Test
    void bytesAndFinThePeerReadsAfterItsTakeOverReachTheClientBeforeTheFin() throws Exception {
        assertGreetingAndFinReachTheClient((fixture, inbound) -> {
            ChannelFuture connect = fixture.connectPeer(inbound);
            fixture.relay(inbound, TWO_LOOPS.config().build(), connect);
            connect.addListener(connected ->
                    // Runs right after the relay's own listener, which has queued the peer's take-over on the relay's
                    // loop; the take-over queues the start behind this task, so the peer's bytes come after the start.
                    inbound.eventLoop().execute(() -> hold(() -> Channels.isInputShutdown(connect.channel()), 5000)));
        });
    }

    @Test
    void aConnectedPeerWhoseFinWasReadBeforeTheRelayEndsItsDirection() throws Exception {
        CompletableFuture<Channel> inbound = new CompletableFuture<>();
        CompletableFuture<Channel> peer = new CompletableFuture<>();
        try (RelayFixture fixture = new RelayFixture(TWO_LOOPS, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelFuture connect = f.connectPeer(ch);
                inbound.complete(ch);
                peer.complete(connect.channel());
            }
        });
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            backend.shutdownOutput();
            Channel peerChannel = peer.get(5, TimeUnit.SECONDS);
            assertTrue(await(() -> Channels.isInputShutdown(peerChannel), 5000), "the peer did not read the backend's FIN");
            Channel inboundChannel = inbound.get();
            inboundChannel.eventLoop().submit(() -> fixture.relay(inboundChannel, TWO_LOOPS.config().build(),
                    peerChannel.newSucceededFuture())).sync();

            Transfer request = Streams.send(client, REQUEST, 3, true);
            assertEquals(request, Streams.receive(backend), "client -> backend");
            assertEquals(0, Streams.receive(client).bytes(), "backend -> client");
            TWO_LOOPS.assertCompleted(fixture.nextStats(), REQUEST, 0);
        }
    }

    @Test
    void theRelayCompletesOnceThePeerOnItsOwnLoopHasClosed() throws Exception {
        try (RelayFixture fixture = new RelayFixture(TWO_LOOPS);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            client.getOutputStream().write(1);
            assertEquals(1, backend.getInputStream().read(), "the relay runs");
            // The peer's loop is busy when the relay ends, so the peer closes only after this task.
            relay.peer().eventLoop().execute(() -> hold(() -> false, 300));
            client.setSoLinger(true, 0);
            client.close();
            RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.RESET, stats.outcome(), stats::toString);
            assertFalse(relay.peer().isOpen(), "the peer was still open when the relay completed");
        }
    }

    /**
     * Resetting a peer means setting {@code SO_LINGER} 0 on its socket by fd number, and the peer's own loop may be
     * closing it at that moment: the relay does it in a task of the peer's loop. While that loop is busy, the peer's
     * socket is left alone; then the backend gets the reset.
     */
    @Test
    void theRelayResetsAPeerOnAnotherLoopOnThatLoop() throws Exception {
        try (RelayFixture fixture = new RelayFixture(TWO_LOOPS);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            client.getOutputStream().write(1);
            assertEquals(1, backend.getInputStream().read(), "the relay runs");
            Channel peer = relay.peer();
            int lingerBefore = peer.config().getOption(ChannelOption.SO_LINGER);
            CountDownLatch release = new CountDownLatch(1);
            peer.eventLoop().execute(() -> hold(() -> release.getCount() == 0, 5000));

            TestSocket.tcp(client).abort();
            assertTrue(await(() -> !relay.inbound().isOpen(), 5000), "the relay did not end on the client's reset");
            // The relay's loop has finished the task that ended the relay.
            relay.inbound().eventLoop().submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertEquals(lingerBefore, peer.config().getOption(ChannelOption.SO_LINGER),
                    "SO_LINGER was set on the peer off its own loop, while that loop was busy");
            release.countDown();

            backend.setSoTimeout(5000);
            assertThrows(SocketException.class, () -> backend.getInputStream().read(), "the backend's reset");
            RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.RESET, stats.outcome(), stats::toString);
        }
    }

    /**
     * The relay's loop ends a peer that its own loop is closing at the same moment, for a reset of its own: whatever
     * the interleaving, every completion completes. In waves, so that the fds stay well below the limit.
     */
    @Test
    @Timeout(180)
    void tenThousandRelaysResetOnBothSidesAtOnceAllComplete() throws Exception {
        int waves = 100;
        int perWave = 100;
        try (RelayFixture fixture = new RelayFixture(TWO_LOOPS)) {
            for (int wave = 0; wave < waves; wave++) {
                Socket[] clients = new Socket[perWave];
                Socket[] backends = new Socket[perWave];
                RelayFixture.Relayed[] relays = new RelayFixture.Relayed[perWave];
                try {
                    for (int i = 0; i < perWave; i++) {
                        clients[i] = fixture.connect();
                        relays[i] = fixture.nextRelay();
                        clients[i].getOutputStream().write(i);
                    }
                    for (int i = 0; i < perWave; i++) {
                        // Each backend learns which client it serves from the byte the relay passed on.
                        Socket backend = fixture.acceptBackend();
                        backends[backend.getInputStream().read()] = backend;
                    }
                    for (int i = 0; i < perWave; i++) {
                        TestSocket.tcp(clients[i]).abort();
                        TestSocket.tcp(backends[i]).abort();
                    }
                    for (RelayFixture.Relayed relay : relays) {
                        RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
                        assertTrue(stats.outcome() == RelayOutcome.RESET || stats.outcome() == RelayOutcome.ERROR,
                                stats::toString);
                    }
                } finally {
                    closeAll(clients);
                    closeAll(backends);
                }
            }
        }
    }

    private static void closeAll(Socket[] sockets) throws IOException {
        for (Socket socket : sockets) {
            if (socket != null) {
                socket.close();
            }
        }
    }

    /**
     * The backend sends a greeting and FIN at once, the client only a FIN; {@code relay} relays each inbound channel
     * the fixture accepts.
     */
    private static void assertGreetingAndFinReachTheClient(BiConsumer<RelayFixture, Channel> relay)
            throws Exception {
        try (RelayFixture fixture = new RelayFixture(TWO_LOOPS, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                relay.accept(f, ch);
            }
        });
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Transfer greeting = Streams.send(backend, GREETING, 1, true);
            client.shutdownOutput();
            assertEquals(greeting, Streams.receive(client), "backend -> client");
            assertEquals(0, Streams.receive(backend).bytes(), "client -> backend");
            TWO_LOOPS.assertCompleted(fixture.nextStats(), 0, GREETING);
        }
    }

    /** Blocks the calling event loop until {@code condition} holds, or for {@code millis}: holding it is the point. */
    private static void hold(BooleanSupplier condition, long millis) {
        try {
            await(condition, millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean await(BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}
