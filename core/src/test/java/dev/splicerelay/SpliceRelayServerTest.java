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

import dev.splicerelay.testing.Await;
import dev.splicerelay.testing.DeadTargets;
import dev.splicerelay.testing.Streams;
import dev.splicerelay.testing.Streams.Transfer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link SpliceRelayServer}: blocking clients connect to the server on 127.0.0.1, which relays each to blocking
 * targets (server sockets of the test), splicing ({@link RelayCase#EPOLL_SPLICE_OWN}) or copying
 * ({@link RelayCase#EPOLL_COPY}); what the {@link RelayServerListener} hears is recorded. Skipped where the server
 * cannot run (Netty 4.1, no epoll).
 */
@Timeout(60)
class SpliceRelayServerTest {
    private static final InetAddress LOOPBACK = loopback();
    private static final long BULK = 8L << 20;
    /** Burst sizes: a byte, a copy buffer's worth (a splicing relay hands over there) and more than a wake-up moves. */
    private static final int[] BURSTS = {1, SocketCopyFlow.BUFFER_BYTES, SocketCopyFlow.BUFFER_BYTES + 1, 3 << 20};
    private static EventLoopGroup group;

    private final Recorder events = new Recorder();
    private final List<AutoCloseable> sockets = new ArrayList<>();
    private final ExecutorService executor = RelayFixture.newPeerThreads();
    private SpliceRelayServer server;

    /**
     * Two loops: two listening sockets with {@code SO_REUSEPORT}, clients on either. {@link RelayCase#newGroup} makes
     * an {@code EpollEventLoopGroup}, on Netty 4.2 a {@code MultiThreadIoEventLoopGroup} of {@code EpollIoHandler}s:
     * these tests also compile against Netty 4.1, which has neither.
     */
    @BeforeAll
    static void startEventLoops() {
        if (Epoll.isAvailable()) {
            group = RelayCase.EPOLL_SPLICE_OWN.newGroup(2);
        }
    }

    @BeforeEach
    void assumeAServerCanRun() {
        assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
        String unavailable = SpliceRelayServer.unavailableReason(group);
        assumeTrue(unavailable == null, unavailable);
    }

    @AfterAll
    static void stopEventLoops() throws InterruptedException {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    @AfterEach
    void closeEverything() throws Exception {
        try {
            if (server != null) {
                server.close();
                assertEquals(0, server.relays(), "relays after close()");
            }
        } finally {
            executor.shutdownNow();
            for (AutoCloseable socket : sockets) {
                socket.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void bytesBothWaysArriveWholeAndInOrder(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase);
        exchange(relayed.client(), relayed.backend(), BULK, BULK);

        Ended ended = events.nextEnded();
        relayCase.assertCompleted(ended.stats(), BULK, BULK);
        assertEquals(relayed.client().getLocalSocketAddress(), ended.client());
        assertEquals(relayed.target().getLocalSocketAddress(), ended.target());
        assertEquals(List.of(new Started(ended.client(), ended.target())), events.started());
        assertEquals(0, server.relays());
    }

    /** {@link RelayMode#AUTO} (the default configuration) splices, with the own engine. */
    @Test
    void theDefaultConfigurationSplicesWithTheOwnEngine() throws Exception {
        ServerSocket target = newTarget();
        server = builder(RelayCase.EPOLL_SPLICE_OWN, RelayConfig.defaults(), target.getLocalSocketAddress())
                .bind();
        exchange(connect(), accept(target), 1 << 20, 1 << 20);
        RelayCase.EPOLL_SPLICE_OWN.assertCompleted(events.nextEnded().stats(), 1 << 20, 1 << 20);
    }

    /**
     * Splice mode copies a direction until one of its reads fills the copy buffer: a short exchange takes no pipe. The
     * server runs on an event loop of its own, whose pipe pool starts empty.
     */
    @Test
    void inSpliceModeAShortExchangeIsCopiedWithoutAPipe() throws Exception {
        onAFreshEventLoop(target -> {
            int pipes = OpenFds.pipes();
            shortRelay(target);
            RelayCase.EPOLL_SPLICE_OWN.assertCompleted(events.nextEnded().stats(), 1000, 1000);
            assertEquals(pipes, OpenFds.pipes(), "pipe descriptors open after a short relay");
        });
    }

    /** Bulk, in splice mode, goes through a pipe of the event loop's pool, which starts empty here. */
    @Test
    void inSpliceModeBulkIsSplicedThroughAPipe() throws Exception {
        onAFreshEventLoop(target -> {
            int pipes = OpenFds.pipes();
            exchange(connect(), accept(target), BULK, BULK);
            RelayCase.EPOLL_SPLICE_OWN.assertCompleted(events.nextEnded().stats(), BULK, BULK);
            assertTrue(OpenFds.pipes() > pipes, "no pipe was opened for " + BULK + " bytes each way");
        });
    }

    /**
     * Every relay's two sockets have {@code TCP_NODELAY}, so that a small write leaves at once: the client's from the
     * listening socket (the first client of each loop tells whether the kernel passed it on), the target's set at
     * connect. The sockets are found among this process's descriptors by their addresses.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void bothSocketsOfEveryRelayHaveNoDelay(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        bind(relayCase, target);
        for (int i = 0; i < 4; i++) {
            Socket client = connect();
            Socket backend = accept(target);
            assertRelaying(client, backend);
            SocketAddress clientAddress = client.getLocalSocketAddress();
            SocketAddress peerAddress = backend.getRemoteSocketAddress();
            LinuxSocket relayClient = OpenFds.socket("the relay's socket to " + clientAddress,
                    socket -> clientAddress.equals(socket.remoteAddress()));
            LinuxSocket relayPeer = OpenFds.socket("the relay's socket from " + peerAddress,
                    socket -> peerAddress.equals(socket.localAddress()));
            assertTrue(relayClient.isTcpNoDelay(), "TCP_NODELAY on the client's socket, relay " + i);
            assertTrue(relayPeer.isTcpNoDelay(), "TCP_NODELAY on the target's socket, relay " + i);
        }
    }

    /**
     * Bursts whose sender then waits for an answer, from a byte to more than a wake-up moves
     * ({@link PipeFlow#FILLS_PER_WAKE_UP} buffers), arrive whole each way: the relay leaves no byte in a socket until
     * more arrive, although the target's socket is registered edge-triggered (no event repeats what is left there).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void burstsThatWaitForAnAnswerArriveWhole(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase);
        long each = 0;
        long seed = 0;
        for (int size : BURSTS) {
            assertBurstArrives(relayed.backend(), relayed.client(), size, ++seed);
            assertBurstArrives(relayed.client(), relayed.backend(), size, ++seed);
            each += size;
        }
        exchange(relayed.client(), relayed.backend(), 0, 0);
        relayCase.assertCompleted(events.nextEnded().stats(), each, each);
    }

    /**
     * Answers that the target writes in pieces, one write after another as nginx writes HTTP/2, arrive whole and in
     * order, and then a stream each way: each piece may arrive while the relay is still moving the one before, and
     * the target's socket is registered edge-triggered, so a piece the relay neither read nor heard of would stay
     * there. 640 answers of 1 B to 8 KiB, in pieces of 1 B to 2 KiB.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void answersWrittenInPiecesArriveWhole(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase);
        relayed.backend().setTcpNoDelay(true);
        Random random = new Random(23);
        long answered = 0;
        int requests = 640;
        for (int i = 0; i < requests; i++) {
            relayed.client().getOutputStream().write(i);
            assertEquals(i & 0xff, relayed.backend().getInputStream().read(), "request " + i);
            byte[] answer = new byte[1 + random.nextInt(8192)];
            random.nextBytes(answer);
            for (int at = 0, piece; at < answer.length; at += piece) {
                piece = Math.min(answer.length - at, 1 + random.nextInt(2048));
                relayed.backend().getOutputStream().write(answer, at, piece);
            }
            assertArrayEquals(answer, relayed.client().getInputStream().readNBytes(answer.length), "answer " + i);
            answered += answer.length;
        }
        exchange(relayed.client(), relayed.backend(), BULK, BULK);
        relayCase.assertCompleted(events.nextEnded().stats(), requests + BULK, answered + BULK);
    }

    /**
     * A target that speaks first and closes at once (a greeting, then its FIN) is heard, also when both are in its
     * socket before the relay hears of the connect: they come with the connect's event then, which the target's
     * edge-triggered registration does not repeat. The loop sleeps right after it connects so that they do.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aTargetThatSpeaksAndClosesBeforeTheRelayHearsOfTheConnectIsHeard(RelayCase relayCase) throws Exception {
        EventLoopGroup one = relayCase.newGroup(1);
        EventLoop loop = (EventLoop) one.next();
        try {
            ServerSocket target = newTarget();
            List<InetSocketAddress> to = List.of((InetSocketAddress) target.getLocalSocketAddress());
            server = builder(relayCase, target.getLocalSocketAddress()).group(one)
                    .targets(client -> {
                        // Runs on the loop just before it connects; the task runs right after, before epoll_wait.
                        loop.execute(() -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)));
                        return to.iterator();
                    })
                    .bind();
            Socket client = connect();
            Future<Transfer> answer = async(() -> {
                Socket backend = accept(target);
                Streams.send(backend, 1000, 1, true);
                return Streams.receive(backend);
            });
            assertEquals(Streams.expected(1000, 1), Streams.receive(client), "the greeting");
            Transfer sent = Streams.send(client, 10, 2, true);
            assertEquals(sent, answer.get(), "the answer");
            relayCase.assertCompleted(events.nextEnded().stats(), 10, 1000);
        } finally {
            if (server != null) {
                server.close();
            }
            one.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aClientFinPassesOnAndTheTargetStillAnswers(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase);
        halfCloseThenAnswer(relayed.client(), relayed.backend());
        relayCase.assertCompleted(events.nextEnded().stats(), 1000, BULK);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aTargetFinPassesOnAndTheClientStillSends(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase);
        halfCloseThenAnswer(relayed.backend(), relayed.client());
        relayCase.assertCompleted(events.nextEnded().stats(), BULK, 1000);
    }

    /**
     * A {@link RelayPreface} (a heap buffer here) reaches the target before the client's bytes, names the client, the
     * address it connected to and the target, and is not counted; the relay still splices bulk after it.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aPrefaceReachesTheTargetFirstAndIsNotCounted(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        server = builder(relayCase, target.getLocalSocketAddress())
                .preface((client, local, to) -> Unpooled.copiedBuffer(preface(client, local, to), US_ASCII))
                .bind();
        Socket client = connect();
        Socket backend = accept(target);

        assertPrefaceFirst(preface(client.getLocalSocketAddress(), server.localAddress(),
                target.getLocalSocketAddress()), backend);
        exchange(client, backend, BULK, BULK);
        relayCase.assertCompleted(events.nextEnded().stats(), BULK, BULK);
    }

    /**
     * A target that speaks first gets its preface (a direct buffer here) from a client that sends nothing, and the
     * client gets what the target says.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aPrefaceReachesATargetWhoseClientWaitsForItToSpeak(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        server = builder(relayCase, target.getLocalSocketAddress())
                .preface((client, local, to) -> ByteBufAllocator.DEFAULT.directBuffer()
                        .writeBytes(preface(client, local, to).getBytes(US_ASCII)))
                .bind();
        Socket client = connect();
        Socket backend = accept(target);

        assertPrefaceFirst(preface(client.getLocalSocketAddress(), server.localAddress(),
                target.getLocalSocketAddress()), backend);
        Transfer greeting = Streams.send(backend, 1000, 8, true);
        assertEquals(greeting, Streams.receive(client), "what the target said first");
        client.shutdownOutput();
        assertEquals(-1, backend.getInputStream().read(), "the client's FIN");
        relayCase.assertCompleted(events.nextEnded().stats(), 0, 1000);
    }

    /** A preface that throws ends its relay with that error, before it started; the client is reset. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aPrefaceThatThrowsEndsTheRelayWithItsError(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        IllegalStateException broken = new IllegalStateException("no preface today");
        server = builder(relayCase, target.getLocalSocketAddress())
                .preface((client, local, to) -> {
                    throw broken;
                })
                .bind();
        Socket client = connect();
        accept(target);

        assertEndsWithAReset(client);
        Ended ended = events.nextEnded();
        assertEquals(RelayOutcome.ERROR, ended.stats().outcome(), ended.stats()::toString);
        assertEquals(broken, ended.stats().cause().orElse(null));
        assertEquals(target.getLocalSocketAddress(), events.nextFailure().target(), "the target's connect reported");
        assertEquals(List.of(), events.started(), "relays started");
    }

    /**
     * A server takes a socket that already listens, as at a reload: it relays that socket's clients, joins its port on
     * its other event loop (the socket has {@code SO_REUSEPORT}), hands both sockets on in
     * {@link SpliceRelayServer#listeningSockets()} and closes them when it stops accepting.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aServerAcceptsOnSocketsThatAlreadyListen(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        LinuxSocket listening = LinuxSocket.newSocketStream(false);
        listening.setReusePort(true);
        listening.bind(new InetSocketAddress(LOOPBACK, 0));
        listening.listen(128);
        InetSocketAddress address = listening.localAddress();
        InetSocketAddress to = (InetSocketAddress) target.getLocalSocketAddress();
        server = SpliceRelayServer.builder()
                .group(group)
                .listeningSockets(List.of(listening.intValue()))
                .targets(client -> List.of(to).iterator())
                .listener(events)
                .config(relayCase.config().build())
                .bind();

        assertEquals(address, server.localAddress());
        List<Integer> handedOn = server.listeningSockets();
        assertEquals(2, handedOn.size(), handedOn::toString);
        assertEquals(listening.intValue(), handedOn.get(0));
        for (int i = 0; i < 10; i++) {
            shortRelay(target);
            relayCase.assertCompleted(events.nextEnded().stats(), 1000, 1000);
        }
        server.stopAccepting();
        assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, address.getPort()).close());
    }

    @Test
    void aServerNeedsEitherAnAddressOrListeningSocketsButNotBoth() throws Exception {
        ServerSocket target = newTarget();
        SpliceRelayServer.Builder both = builder(RelayCase.EPOLL_COPY, target.getLocalSocketAddress())
                .listeningSockets(List.of(0));
        assertThrows(IllegalStateException.class, both::bind);
        SpliceRelayServer.Builder neither = SpliceRelayServer.builder()
                .group(group)
                .targets(client -> List.<InetSocketAddress>of().iterator());
        assertThrows(IllegalStateException.class, neither::bind);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aClientResetResetsTheTarget(RelayCase relayCase) throws Exception {
        Relayed relayed = runningRelay(relayCase);
        assertResetPassesOn(relayCase, relayed.client(), relayed.backend());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aTargetResetResetsTheClient(RelayCase relayCase) throws Exception {
        Relayed relayed = runningRelay(relayCase);
        assertResetPassesOn(relayCase, relayed.backend(), relayed.client());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aRefusingTargetIsReportedAndTheNextOneTried(RelayCase relayCase) throws Exception {
        InetSocketAddress refusing = deadTargets().refusedAddress();
        ServerSocket target = newTarget();
        server = builder(relayCase, refusing, target.getLocalSocketAddress()).bind();
        Socket client = connect();
        exchange(client, accept(target), 64 << 10, 64 << 10);

        Ended ended = events.nextEnded();
        relayCase.assertCompleted(ended.stats(), 64 << 10, 64 << 10);
        assertEquals(target.getLocalSocketAddress(), ended.target());
        Failure failure = events.nextFailure();
        assertEquals(new Failure(client.getLocalSocketAddress(), refusing), failure.withoutCause());
        assertInstanceOf(ConnectException.class, failure.cause(), failure::toString);
        assertNull(events.connectFailures.poll(), "only the refusing target failed");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aClientNoTargetAcceptsIsClosedAndNothingLeaks(RelayCase relayCase) throws Exception {
        OpenFds.assumeCountable();
        // Two targets, both refusing: the same one twice.
        InetSocketAddress first = deadTargets().refusedAddress();
        InetSocketAddress second = first;
        server = builder(relayCase, first, second).bind();
        int baseline = OpenFds.exceptPooledPipes();
        try (Socket client = connect()) {
            assertEquals(-1, client.getInputStream().read(), "the client is closed");
            Ended ended = events.nextEnded();
            assertEquals(client.getLocalSocketAddress(), ended.client());
            assertTurnedAway(ended);
            assertInstanceOf(ConnectException.class, ended.stats().cause().orElse(null), ended.stats()::toString);
            assertEquals(List.of(new Failure(ended.client(), first), new Failure(ended.client(), second)),
                    List.of(events.nextFailure().withoutCause(), events.nextFailure().withoutCause()));
        }
        assertEquals(0, server.relays());
        assertTrue(events.started().isEmpty(), "no relay started");
        assertFdsBackTo(baseline);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aClientWithNoTargetsIsClosed(RelayCase relayCase) throws Exception {
        server = builder(relayCase).bind();
        Socket client = connect();
        assertEquals(-1, client.getInputStream().read(), "the client is closed");
        Ended ended = events.nextEnded();
        assertTurnedAway(ended);
        assertTrue(ended.stats().cause().map(Throwable::getMessage).orElse("").contains("no target"),
                ended.stats()::toString);
        assertTrue(events.connectFailures.isEmpty(), "nothing to connect to, nothing failed");
        assertEquals(0, server.relays());
    }

    /**
     * The connect timeout bounds a client's connects to all its targets together: one that never answers uses it up
     * and the client is closed, the next target untried.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aClientWhoseTargetsDoNotAnswerWithinTheConnectTimeoutIsClosed(RelayCase relayCase) throws Exception {
        DeadTargets dead = deadTargets();
        assumeTrue(dead.silentDropsSyns(), "the kernel answered every SYN to a full accept queue");
        server = builder(relayCase, dead.silentAddress(), newTarget().getLocalSocketAddress())
                .connectTimeout(Duration.ofMillis(300))
                .bind();
        assertClosedAtTheConnectTimeout(connect(), dead.silentAddress());
    }

    /**
     * A target given by name is resolved by the server's resolver (here from another thread, as a DNS client would),
     * then connected; the listener hears of it by the name the targets gave.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aTargetGivenByNameIsResolvedThenConnected(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        InetSocketAddress named = InetSocketAddress.createUnresolved("target.test", target.getLocalPort());
        server = builder(relayCase, named)
                .resolver(resolver((host, lookup) -> executor.execute(() -> lookup.setSuccess(LOOPBACK))))
                .bind();
        Socket client = connect();
        exchange(client, accept(target), 64 << 10, 64 << 10);

        Ended ended = events.nextEnded();
        relayCase.assertCompleted(ended.stats(), 64 << 10, 64 << 10);
        assertEquals(named, ended.target(), "the target as the targets gave it");
        assertEquals(named, events.started().get(0).target());
        assertTrue(events.connectFailures.isEmpty(), "nothing failed");
    }

    /**
     * A name that does not resolve is reported as a failed connect, with the resolver's error, and the next target
     * tried.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aNameThatDoesNotResolveIsReportedAndTheNextTargetTried(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        InetSocketAddress unknown = InetSocketAddress.createUnresolved("unknown.test", target.getLocalPort());
        server = builder(relayCase, unknown, target.getLocalSocketAddress())
                .resolver(resolver((host, lookup) -> lookup.setFailure(new UnknownHostException(host))))
                .bind();
        Socket client = connect();
        exchange(client, accept(target), 1000, 1000);

        Ended ended = events.nextEnded();
        relayCase.assertCompleted(ended.stats(), 1000, 1000);
        assertEquals(target.getLocalSocketAddress(), ended.target());
        Failure failure = events.nextFailure();
        assertEquals(new Failure(client.getLocalSocketAddress(), unknown), failure.withoutCause());
        assertInstanceOf(UnknownHostException.class, failure.cause(), failure::toString);
    }

    /**
     * A lookup counts against the connect timeout: one that does not end in time closes the client, the next target
     * untried, and its answer, when it comes after all, is ignored (no connect reaches the target it names).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aNameNotResolvedWithinTheConnectTimeoutClosesTheClient(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        InetSocketAddress slow = InetSocketAddress.createUnresolved("slow.test", target.getLocalPort());
        BlockingQueue<Promise<InetAddress>> lookups = new LinkedBlockingQueue<>();
        server = builder(relayCase, slow, target.getLocalSocketAddress())
                .resolver(resolver((host, lookup) -> lookups.add(lookup)))
                .connectTimeout(Duration.ofMillis(300))
                .bind();
        assertClosedAtTheConnectTimeout(connect(), slow);

        Promise<InetAddress> late = lookups.poll(10, TimeUnit.SECONDS);
        assertNotNull(late, "the lookup");
        late.setSuccess(LOOPBACK);
        target.setSoTimeout(1000);
        assertThrows(SocketTimeoutException.class, target::accept, "a connect after the timeout");
    }

    /** {@code close()} while a client's target name is being resolved reports that target as a failed connect. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void closeWhileATargetNameIsResolvedReportsTheConnectAsFailed(RelayCase relayCase) throws Exception {
        InetSocketAddress silent = InetSocketAddress.createUnresolved("silent.test", 9);
        CountDownLatch resolving = new CountDownLatch(1);
        server = builder(relayCase, silent)
                .resolver(resolver((host, lookup) -> resolving.countDown()))
                .bind();
        assertCloseReportsTheTargetBeingReached(connect(), resolving, silent);
    }

    /**
     * {@code close()} while a client's connect is still in progress resets the client and ends its relay without a
     * target, and the target being connected is reported as a failed connect: every target handed out gets one or a
     * started relay.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void closeWhileAClientConnectsReportsTheConnectAsFailed(RelayCase relayCase) throws Exception {
        DeadTargets dead = deadTargets();
        assumeTrue(dead.silentDropsSyns(), "the kernel answered every SYN to a full accept queue");
        CountDownLatch connecting = new CountDownLatch(1);
        server = builder(relayCase, dead.silentAddress())
                .targets(client -> {
                    // The connect starts in the same event-loop task as this call, so close() comes after it.
                    connecting.countDown();
                    return List.of(dead.silentAddress()).iterator();
                })
                .connectTimeout(Duration.ofSeconds(30))
                .bind();
        assertCloseReportsTheTargetBeingReached(connect(), connecting, dead.silentAddress());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aRelayWithNoByteMovingForTheIdleTimeoutEnds(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase, relayCase.config().idleTimeout(Duration.ofMillis(300)).build());
        Socket client = relayed.client();
        Socket backend = relayed.backend();
        Transfer hello = Streams.send(client, 100, 5, false);
        Future<Transfer> clientEnd = async(() -> Streams.receive(client));
        assertEquals(hello, Streams.receive(backend), "what moved before the relay went idle, then its end");
        assertEquals(0, clientEnd.get().bytes(), "the client's end");

        RelayStats stats = events.nextEnded().stats();
        assertEquals(RelayOutcome.IDLE_TIMEOUT, stats.outcome(), stats::toString);
        relayCase.assertRanIn(stats);
        assertEquals(100, stats.bytesInboundToPeer(), stats::toString);
        assertEquals(0, server.relays());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aClientNotAdmittedIsClosedWithoutAConnectionToTheTarget(RelayCase relayCase) throws Exception {
        ServerSocket target = newTarget();
        bind(relayCase, target);
        events.admitting = false;
        Socket refused = connect();
        assertEquals(-1, refused.getInputStream().read(), "the client is closed");
        assertEquals(refused.getLocalSocketAddress(), events.admitted.poll());

        // The next client's connection is the first the target gets: the refused one never reached it.
        events.admitting = true;
        Socket admitted = connect();
        admitted.getOutputStream().write(42);
        assertEquals(42, accept(target).getInputStream().read(), "the first connection to the target");
        assertEquals(admitted.getLocalSocketAddress(), events.admitted.poll(10, TimeUnit.SECONDS));
        assertTrue(events.ended.isEmpty(), "a client not admitted has no relay to end");
        assertEquals(1, server.relays());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void afterStopAcceptingNewClientsAreRefusedAndRunningRelaysFinish(RelayCase relayCase) throws Exception {
        Relayed relayed = runningRelay(relayCase);
        server.stopAccepting();
        assertThrows(ConnectException.class, this::connect, "a new client after stopAccepting()");
        exchange(relayed.client(), relayed.backend(), BULK, BULK);
        relayCase.assertCompleted(events.nextEnded().stats(), BULK + 1, BULK + 1);
        assertEquals(0, server.relays());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void closeAbortsRunningRelays(RelayCase relayCase) throws Exception {
        Relayed relayed = runningRelay(relayCase);
        server.close();
        assertEquals(0, server.relays(), "relays once close() returned");
        assertEndsWithAReset(relayed.client());
        assertEndsWithAReset(relayed.backend());
        assertAborted(relayCase, events.nextEnded().stats());
        assertThrows(ConnectException.class, this::connect, "a new client after close()");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void shortRelaysLeaveNoFileDescriptorBehind(RelayCase relayCase) throws Exception {
        OpenFds.assumeCountable();
        int relays = 200;
        ServerSocket target = newTarget();
        bind(relayCase, target);
        shortRelay(target);
        relayCase.assertCompleted(events.nextEnded().stats(), 1000, 1000);
        int baseline = OpenFds.exceptPooledPipes();

        for (int i = 0; i < relays; i++) {
            shortRelay(target);
        }
        for (int i = 0; i < relays; i++) {
            relayCase.assertCompleted(events.nextEnded().stats(), 1000, 1000);
        }
        assertEquals(0, server.relays());
        assertFdsBackTo(baseline);
    }

    /**
     * A target that never reads: the relay stops reading the client once the target's socket is full, holding at most
     * one pipe's or buffer's worth, goes idle and resets the target, for which it still holds bytes.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aTargetThatNeverReadsStallsTheRelayUntilTheIdleTimeout(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase, relayCase.config().idleTimeout(Duration.ofMillis(300)).build());
        assertStalledRelayEndsAtTheIdleTimeout(relayed.client(), relayed.backend(), "the peer", relayed.fdsBefore());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void aClientThatNeverReadsStallsTheRelayUntilTheIdleTimeout(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase, relayCase.config().idleTimeout(Duration.ofMillis(300)).build());
        assertStalledRelayEndsAtTheIdleTimeout(relayed.backend(), relayed.client(), "the inbound channel",
                relayed.fdsBefore());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE_OWN", "EPOLL_COPY"})
    void closeEndsARelayToATargetThatNeverReads(RelayCase relayCase) throws Exception {
        Relayed relayed = relay(relayCase);
        Socket client = relayed.client();
        Socket backend = relayed.backend();
        Future<Transfer> upload = async(() -> Streams.send(client, 64L << 20, 7, false));
        Await.until(Duration.ofSeconds(10), () -> available(backend) > 0, "bytes at the target");

        server.close();
        assertAborted(relayCase, events.nextEnded().stats());
        assertSendFailed(upload);
        assertEndsWithAReset(backend);
        assertEquals(0, server.relays());
        closeAll(client, backend);
        assertFdsBackTo(relayed.fdsBefore());
    }

    /** A builder for the case's relays to {@code targets}, which the test's {@link Recorder} listens to. */
    /**
     * A resolver whose every lookup {@code lookup} answers, at once, later or never; closed after the test. Netty's
     * {@code InetNameResolver} completes the promise's listeners on the event loop.
     */
    private AddressResolverGroup<InetSocketAddress> resolver(BiConsumer<String, Promise<InetAddress>> lookup) {
        AddressResolverGroup<InetSocketAddress> resolver = new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
                return new InetNameResolver(loop) {
                    @Override
                    protected void doResolve(String host, Promise<InetAddress> promise) {
                        lookup.accept(host, promise);
                    }

                    @Override
                    protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                        promise.setFailure(new UnsupportedOperationException("the server resolves one address"));
                    }
                }.asAddressResolver();
            }
        };
        sockets.add(resolver);
        return resolver;
    }

    private SpliceRelayServer.Builder builder(RelayCase relayCase, RelayConfig config, SocketAddress... targets) {
        relayCase.assumeAvailable();
        List<InetSocketAddress> list = new ArrayList<>();
        for (SocketAddress target : targets) {
            list.add((InetSocketAddress) target);
        }
        return SpliceRelayServer.builder()
                .group(group)
                .localAddress(new InetSocketAddress(LOOPBACK, 0))
                .targets(client -> list.iterator())
                .listener(events)
                .config(config);
    }

    private SpliceRelayServer.Builder builder(RelayCase relayCase, SocketAddress... targets) {
        return builder(relayCase, relayCase.config().build(), targets);
    }

    /**
     * A client relayed in the case's mode with {@code config} to a target of its own, once the relay has connected;
     * and the open file descriptors before the client connected.
     */
    private Relayed relay(RelayCase relayCase, RelayConfig config) throws IOException {
        ServerSocket target = newTarget();
        bind(relayCase, config, target);
        int fdsBefore = OpenFds.exceptPooledPipes();
        Socket client = connect();
        return new Relayed(target, client, accept(target), fdsBefore);
    }

    private Relayed relay(RelayCase relayCase) throws IOException {
        return relay(relayCase, relayCase.config().build());
    }

    /** {@link #relay(RelayCase)}, once a byte has gone each way through it. */
    private Relayed runningRelay(RelayCase relayCase) throws IOException {
        Relayed relayed = relay(relayCase);
        assertRelaying(relayed.client(), relayed.backend());
        return relayed;
    }

    private void bind(RelayCase relayCase, ServerSocket target) throws IOException {
        server = builder(relayCase, target.getLocalSocketAddress()).bind();
    }

    private void bind(RelayCase relayCase, RelayConfig config, ServerSocket target) throws IOException {
        server = builder(relayCase, config, target.getLocalSocketAddress()).bind();
    }

    /** Runs {@code test} with a server in splice mode on an event loop group of one loop, made for the test. */
    private void onAFreshEventLoop(TargetTest test) throws Exception {
        EventLoopGroup fresh = RelayCase.EPOLL_SPLICE_OWN.newGroup(1);
        try {
            ServerSocket target = newTarget();
            server = builder(RelayCase.EPOLL_SPLICE_OWN, target.getLocalSocketAddress()).group(fresh).bind();
            test.run(target);
        } finally {
            if (server != null) {
                server.close();
            }
            fresh.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    /** A test of a server relaying to {@code target}. */
    private interface TargetTest {
        void run(ServerSocket target) throws Exception;
    }

    /** A target: a server socket on 127.0.0.1 the test accepts the relay's connections from. */
    private ServerSocket newTarget() throws IOException {
        ServerSocket target = new ServerSocket(0, 50, LOOPBACK);
        target.setSoTimeout(RelayFixture.IO_TIMEOUT_MILLIS);
        sockets.add(target);
        return target;
    }

    /** Targets that refuse or never answer, closed after the test. */
    private DeadTargets deadTargets() throws IOException {
        DeadTargets dead = new DeadTargets();
        sockets.add(dead);
        return dead;
    }

    private Socket connect() throws IOException {
        Socket client = new Socket(LOOPBACK, server.localAddress().getPort());
        client.setSoTimeout(RelayFixture.IO_TIMEOUT_MILLIS);
        sockets.add(client);
        return client;
    }

    private Socket accept(ServerSocket target) throws IOException {
        Socket socket = target.accept();
        socket.setSoTimeout(RelayFixture.IO_TIMEOUT_MILLIS);
        sockets.add(socket);
        return socket;
    }

    /**
     * Sends {@code up} bytes from the client and {@code down} bytes from the target at once, each followed by a FIN,
     * and asserts that each side receives the other's whole.
     */
    private void exchange(Socket client, Socket backend, long up, long down) throws Exception {
        Future<Transfer> sentUp = async(() -> Streams.send(client, up, 1, true));
        Future<Transfer> sentDown = async(() -> Streams.send(backend, down, 2, true));
        Future<Transfer> receivedUp = async(() -> Streams.receive(backend));
        Transfer receivedDown = Streams.receive(client);
        assertEquals(sentUp.get(), receivedUp.get(), "client to target");
        assertEquals(sentDown.get(), receivedDown, "target to client");
    }

    /** One short connection: 1,000 bytes each way. */
    private void shortRelay(ServerSocket target) throws Exception {
        try (Socket client = connect(); Socket backend = accept(target)) {
            exchange(client, backend, 1000, 1000);
        }
    }

    /**
     * {@code first} sends 1,000 bytes and its FIN, which arrive; then {@code second} sends {@link #BULK} bytes and its
     * FIN, which arrive too.
     */
    private void halfCloseThenAnswer(Socket first, Socket second) throws Exception {
        Transfer sent = Streams.send(first, 1000, 3, true);
        assertEquals(sent, Streams.receive(second), "the bytes before the FIN, then end of stream");
        Future<Transfer> answer = async(() -> Streams.send(second, BULK, 4, true));
        Transfer answered = Streams.receive(first);
        assertEquals(answer.get(), answered, "the bytes sent after the other side's FIN");
    }

    /** {@code resetter} resets its connection to the running relay, which resets {@code other}'s. */
    private void assertResetPassesOn(RelayCase relayCase, Socket resetter, Socket other) throws Exception {
        resetter.setSoLinger(true, 0);
        resetter.close();
        assertEndsWithAReset(other);
        RelayStats stats = events.nextEnded().stats();
        assertEquals(RelayOutcome.RESET, stats.outcome(), stats::toString);
        relayCase.assertRanIn(stats);
    }

    /** What the tests' {@link RelayPreface}s write: the three addresses, on one line. */
    private static String preface(SocketAddress client, SocketAddress local, SocketAddress target) {
        return "PREFACE " + client + " " + local + " " + target + "\r\n";
    }

    /** {@code backend} reads {@code preface} before anything else. */
    private static void assertPrefaceFirst(String preface, Socket backend) throws IOException {
        byte[] expected = preface.getBytes(US_ASCII);
        assertEquals(preface, new String(backend.getInputStream().readNBytes(expected.length), US_ASCII));
    }

    /** {@code size} bytes sent from {@code from}, which then waits, all arrive at {@code to}. */
    private void assertBurstArrives(Socket from, Socket to, int size, long seed) throws Exception {
        Future<Transfer> sent = async(() -> Streams.send(from, size, seed, false));
        byte[] received = to.getInputStream().readNBytes(size);
        assertEquals(sent.get(), new Transfer(received.length, Streams.sha256(received)), "a burst of " + size);
    }

    /** A byte each way between the relay's two sides: the relay runs. */
    private static void assertRelaying(Socket one, Socket other) throws IOException {
        one.getOutputStream().write(1);
        assertEquals(1, other.getInputStream().read(), "a byte one way");
        other.getOutputStream().write(2);
        assertEquals(2, one.getInputStream().read(), "a byte the other way");
    }

    /**
     * {@code client} is closed once its connect to {@code target} (the lookup included) used up the connect timeout:
     * its relay ends without a target, {@code target} is reported as timed out, and no other target is tried.
     */
    private void assertClosedAtTheConnectTimeout(Socket client, InetSocketAddress target) throws Exception {
        assertEquals(-1, client.getInputStream().read(), "the client is closed");
        Ended ended = events.nextEnded();
        assertTurnedAway(ended);
        Failure failure = events.nextFailure();
        assertEquals(new Failure(client.getLocalSocketAddress(), target), failure.withoutCause());
        assertInstanceOf(ConnectException.class, failure.cause(), failure::toString);
        assertTrue(failure.cause().getMessage().contains("timed out"), failure::toString);
        assertEquals(failure.cause(), ended.stats().cause().orElse(null), ended.stats()::toString);
        assertTrue(events.connectFailures.isEmpty() && events.started().isEmpty(), "the next target was not tried");
        assertEquals(0, server.relays());
    }

    /**
     * Once {@code reaching} says the server is resolving or connecting {@code client}'s target, {@code close()} resets
     * the client and ends its relay without a target, and {@code target} is reported as a failed connect.
     */
    private void assertCloseReportsTheTargetBeingReached(Socket client, CountDownLatch reaching,
                                                         InetSocketAddress target) throws Exception {
        assertTrue(reaching.await(10, TimeUnit.SECONDS), "the server to start on the client's target");
        server.close();
        assertEndsWithAReset(client);
        Ended ended = events.nextEnded();
        assertTurnedAway(ended);
        assertEquals("the relay was aborted", ended.stats().cause().map(Throwable::getMessage).orElse(null));
        assertEquals(new Failure(client.getLocalSocketAddress(), target), events.nextFailure().withoutCause());
        assertTrue(events.started().isEmpty(), "no relay started");
    }

    /** Reads {@code socket} to its end, which must be a reset: not end of stream, nor the read timeout. */
    private static void assertEndsWithAReset(Socket socket) {
        assertThrows(SocketException.class, () -> Streams.receive(socket), () -> socket + " ended without a reset");
    }

    /**
     * {@code sender} sends more than the relay and both sockets can hold to {@code nonReader}, which never reads: the
     * relay stalls, goes idle and resets {@code nonReader}, for which it still holds bytes ({@code heldFor} in the
     * stats); afterwards every file descriptor it used is closed.
     */
    private void assertStalledRelayEndsAtTheIdleTimeout(Socket sender, Socket nonReader, String heldFor, int fds)
            throws Exception {
        Future<Transfer> sent = async(() -> Streams.send(sender, 64L << 20, 6, false));
        RelayStats stats = events.nextEnded().stats();
        assertEquals(RelayOutcome.IDLE_TIMEOUT, stats.outcome(), stats::toString);
        assertTrue(stats.cause().map(Throwable::getMessage).orElse("").contains("bytes still held for " + heldFor),
                stats::toString);
        assertSendFailed(sent);
        assertEndsWithAReset(nonReader);
        assertEquals(0, server.relays());
        closeAll(sender, nonReader);
        assertFdsBackTo(fds);
    }

    private static void assertSendFailed(Future<Transfer> sent) throws InterruptedException {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> sent.get(30, TimeUnit.SECONDS),
                "sending into the ended relay");
        assertInstanceOf(SocketException.class, failed.getCause());
    }

    private static void closeAll(Socket... sockets) throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private static void assertAborted(RelayCase relayCase, RelayStats stats) {
        assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
        assertEquals("the relay was aborted", stats.cause().map(Throwable::getMessage).orElse(null), stats::toString);
        relayCase.assertRanIn(stats);
    }

    /** A client that no target took: no target, no bytes, an error. */
    private static void assertTurnedAway(Ended ended) {
        RelayStats stats = ended.stats();
        assertNull(ended.target(), stats::toString);
        assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
        assertEquals(0, stats.bytesInboundToPeer(), stats::toString);
        assertEquals(0, stats.bytesPeerToInbound(), stats::toString);
    }

    private static void assertFdsBackTo(int baseline) throws InterruptedException {
        int open = OpenFds.awaitAtMost(baseline, OpenFds::exceptPooledPipes);
        assertTrue(open <= baseline, open + " open file descriptors, " + baseline + " before");
    }

    private static int available(Socket socket) {
        try {
            return socket.getInputStream().available();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> Future<T> async(Callable<T> task) {
        return executor.submit(task);
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    record Relayed(ServerSocket target, Socket client, Socket backend, int fdsBefore) {
    }

    record Started(InetSocketAddress client, InetSocketAddress target) {
    }

    record Failure(InetSocketAddress client, InetSocketAddress target, Throwable cause) {
        Failure(SocketAddress client, SocketAddress target) {
            this((InetSocketAddress) client, (InetSocketAddress) target, null);
        }

        Failure withoutCause() {
            return new Failure(client, target, null);
        }
    }

    record Ended(InetSocketAddress client, InetSocketAddress target, RelayStats stats) {
    }

    /** Records what the server tells its listener, from its event loops; admits clients while {@link #admitting}. */
    private static final class Recorder implements RelayServerListener {
        volatile boolean admitting = true;
        final BlockingQueue<InetSocketAddress> admitted = new LinkedBlockingQueue<>();
        final BlockingQueue<Failure> connectFailures = new LinkedBlockingQueue<>();
        final BlockingQueue<Started> started = new LinkedBlockingQueue<>();
        final BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();

        @Override
        public boolean admit(InetSocketAddress client) {
            admitted.add(client);
            return admitting;
        }

        @Override
        public void connectFailed(InetSocketAddress client, InetSocketAddress target, Throwable cause) {
            connectFailures.add(new Failure(client, target, cause));
        }

        @Override
        public void relayStarted(InetSocketAddress client, InetSocketAddress target) {
            started.add(new Started(client, target));
        }

        @Override
        public void relayEnded(InetSocketAddress client, InetSocketAddress target, RelayStats stats) {
            ended.add(new Ended(client, target, stats));
        }

        List<Started> started() {
            return new ArrayList<>(started);
        }

        Ended nextEnded() throws InterruptedException {
            Ended next = ended.poll(10, TimeUnit.SECONDS);
            assertNotNull(next, "no relay ended within 10 s");
            return next;
        }

        Failure nextFailure() throws InterruptedException {
            Failure next = connectFailures.poll(10, TimeUnit.SECONDS);
            assertNotNull(next, "no connect failed within 10 s");
            return next;
        }
    }
}
