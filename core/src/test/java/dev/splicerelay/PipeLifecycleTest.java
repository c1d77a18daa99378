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
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The own engine's pipes: held only while bytes are in flight, pooled when idle (at most
 * {@link PipePool#MAX_IDLE_PIPES} per event loop), and every one closed when the event loop shuts down, mid-relay
 * too. Counted in {@code /proc/self/fd}.
 */
@Timeout(60)
class PipeLifecycleTest {
    private static final RelayCase OWN = RelayCase.EPOLL_SPLICE_OWN;
    private static final long SIZE = 4L << 20;
    private static final int IDLE_RELAYS = 100;
    private static final long SHUTDOWN_QUIET_MILLIS = 100;
    /** The fixture's two event loops. */
    private static final int MAX_POOLED = 2 * PipePool.MAX_IDLE_PIPES;

    @BeforeEach
    void warmUp() throws Exception {
        OWN.assumeAvailable();
        OpenFds.assumeCountable();
        // So that jar files and classes opened on first use are not counted against the baseline.
        try (RelayFixture fixture = new RelayFixture(OWN)) {
            relayBothWays(fixture, 1024);
        }
        awaitNoPooledPipes();
    }

    @Test
    void aFinishedRelayPoolsItsPipesAndTheEventLoopsShutdownClosesThem() throws Exception {
        int baseline = OpenFds.all();
        int pooled;
        try (RelayFixture fixture = new RelayFixture(OWN)) {
            relayBothWays(fixture, SIZE);
            pooled = PipePool.idlePipes();
            assertTrue(pooled >= 1 && pooled <= MAX_POOLED, pooled + " pooled pipes");
        }
        int open = OpenFds.awaitAtMost(baseline, OpenFds::all);
        awaitNoPooledPipes();
        System.out.printf("%d pooled pipes after the relay; fds %d before the event loops, %d after%n",
                pooled, baseline, open);
        assertTrue(open <= baseline, open + " fds after the event loops shut down, " + baseline + " before");
        assertEquals(0, PipePool.idlePipes(), "pipes pooled for terminated event loops");
    }

    @Test
    void theEventLoopsShutdownMidRelayEndsItAndClosesThePipeThatHoldsBytes() throws Exception {
        int baseline = OpenFds.all();
        RelayFixture fixture = new RelayFixture(OWN);
        Future<RelayStats> completion;
        try (Socket client = fixture.connect(); Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            completion = relay.completion();
            fixture.async(() -> Streams.send(client, 64L << 20, 1, true));
            awaitBytesHeldFor(relay);
            fixture.close(SHUTDOWN_QUIET_MILLIS);
        }
        RelayStats stats = completion.get(10, TimeUnit.SECONDS);
        assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
        assertTrue(stats.cause().map(Throwable::getMessage).orElse("").contains("event loop shut down"),
                stats::toString);
        int open = OpenFds.awaitAtMost(baseline, OpenFds::all);
        awaitNoPooledPipes();
        assertTrue(open <= baseline, open + " fds after the event loops shut down, " + baseline + " before");
        assertEquals(0, PipePool.idlePipes(), "pipes pooled for terminated event loops");
    }

    @Test
    void idleRelaysHoldNoPipes() throws Exception {
        try (RelayFixture fixture = new RelayFixture(OWN)) {
            int baseline = OpenFds.all();
            List<Socket> sockets = new ArrayList<>();
            List<RelayFixture.Relayed> relays = new ArrayList<>();
            try {
                for (int i = 0; i < IDLE_RELAYS; i++) {
                    Socket client = fixture.connect();
                    sockets.add(client);
                    Socket backend = fixture.acceptBackend();
                    sockets.add(backend);
                    relays.add(fixture.nextRelay());
                    client.getOutputStream().write(1);
                    assertEquals(1, backend.getInputStream().read(), "the byte up");
                    backend.getOutputStream().write(2);
                    assertEquals(2, client.getInputStream().read(), "the byte down");
                }
                int pooled = PipePool.idlePipes();
                int perRelay = (OpenFds.all() - baseline - 2 * pooled) / IDLE_RELAYS;
                System.out.printf("%d idle relays: %d fds each (2 test sockets, 2 relay sockets), %d pooled pipes%n",
                        IDLE_RELAYS, perRelay, pooled);
                assertTrue(pooled <= MAX_POOLED, pooled + " pooled pipes");
                assertEquals(4, perRelay, "fds per idle relay, with the test's own two sockets");
                assertFalse(relays.stream().anyMatch(r -> r.completion().isDone()), "a relay ended while idle");
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            for (RelayFixture.Relayed relay : relays) {
                relay.completion().get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void pipesOnLoanAreClosedWhenTheirEventLoopTerminatesEvenIfNobodyGaveThemBack() throws Exception {
        int baseline = OpenFds.all();
        EventLoopGroup group = OWN.newGroup(1);
        EventLoop loop = group.next();
        PipePool pool = loop.submit(() -> PipePool.of(loop)).get(5, TimeUnit.SECONDS);
        loop.submit(() -> {
            Pipe idle = pool.take();
            pool.take();
            pool.give(idle);
            return null;
        }).get(5, TimeUnit.SECONDS);
        assertEquals(1, PipePool.idlePipes(), "idle pipes in the pool");
        assertTrue(OpenFds.all() >= baseline + 4, "the two pipes are open");
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        awaitNoPooledPipes();
        int open = OpenFds.awaitAtMost(baseline, OpenFds::all);
        assertTrue(open <= baseline, open + " fds after the event loop terminated, " + baseline + " before");
    }

    private static void relayBothWays(RelayFixture fixture, long size) throws Exception {
        try (Socket client = fixture.connect(); Socket backend = fixture.acceptBackend()) {
            Future<Transfer> up = fixture.async(() -> Streams.send(client, size, 1, true));
            Future<Transfer> down = fixture.async(() -> Streams.send(backend, size, 2, true));
            Future<Transfer> atBackend = fixture.async(() -> Streams.receive(backend));
            assertEquals(down.get(), Streams.receive(client), "backend -> client");
            assertEquals(up.get(), atBackend.get(), "client -> backend");
        }
        RelayStats stats = fixture.nextStats();
        assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
        OWN.assertRanIn(stats);
    }

    private static void awaitBytesHeldFor(RelayFixture.Relayed relay) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (relay.peer().eventLoop().submit(() -> relay.handler().relay().bytesHeldFor(relay.peer())).get() == 0) {
            assertTrue(System.nanoTime() < deadline, "no bytes held in a pipe within 5 s");
            Thread.sleep(5);
        }
    }

    /** Pools close their pipes just after their event loop has terminated. */
    private static void awaitNoPooledPipes() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (PipePool.idlePipes() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
