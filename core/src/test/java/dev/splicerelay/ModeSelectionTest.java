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
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.logging.LoggingHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** AUTO splices where it can and otherwise copies, saying why; SPLICE refuses channels that cannot splice. */
@Timeout(30)
class ModeSelectionTest {
    private static final RelayConfig AUTO = RelayConfig.defaults();
    private static final long SIZE = 4L << 20;

    @Test
    void autoSplicesEpollChannelsOnOneEventLoop() throws Exception {
        RelayStats stats = relayBothWays(RelayCase.EPOLL_SPLICE, fixture -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                fixture.relay(ch, AUTO);
            }
        });
        assertEquals(RelayMode.SPLICE, stats.mode(), stats::toString);
        String engine = EpollIo.unavailableReason() == null ? "engine IO_HANDLE" : "engine SPLICE_TO";
        assertTrue(stats.modeReason().contains(engine), stats::toString);
    }

    @Test
    void autoCopiesAChannelThatLingersAndSaysWhy() throws Exception {
        RelayStats stats = relayBothWays(RelayCase.EPOLL_SPLICE, fixture -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setOption(ChannelOption.SO_LINGER, 5);
                fixture.relay(ch, AUTO);
            }
        });
        assertEquals(RelayMode.COPY, stats.mode(), stats::toString);
        assertEquals(Optional.empty(), stats.spliceEngine(), stats::toString);
        assertTrue(stats.modeReason().contains("cannot splice: SO_LINGER 5 on the inbound channel makes Netty close "
                + "it on another thread"), stats::toString);
    }

    @Test
    void spliceWithEitherEngineFailsForAChannelThatLingersWithTheReason() throws Exception {
        for (SpliceEngine engine : SpliceEngine.values()) {
            RelayConfig splice = RelayConfig.builder().mode(RelayMode.SPLICE).spliceEngine(engine).build();
            try (RelayFixture fixture = new RelayFixture(RelayCase.EPOLL_SPLICE, f -> new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ChannelFuture connect = f.connectPeer(ch);
                    connect.channel().config().setOption(ChannelOption.SO_LINGER, 1);
                    f.relay(ch, splice, connect);
                }
            });
                 Socket client = fixture.connect();
                 Socket backend = fixture.acceptBackend()) {
                ExecutionException failure = assertThrows(ExecutionException.class,
                        () -> fixture.nextRelay().completion().get(5, TimeUnit.SECONDS));
                assertInstanceOf(IllegalStateException.class, failure.getCause());
                assertTrue(failure.getCause().getMessage().startsWith("SPLICE mode cannot be used: SO_LINGER 1 on the "
                        + "peer channel makes Netty close it on another thread"), failure.getCause()::getMessage);
            }
        }
    }

    @Test
    void theOwnEngineRequestedWhereItCannotRunFailsTheSpliceRelayWithTheReason() throws Exception {
        // Netty 4.1 cannot run it; on 4.2 every epoll event loop can.
        assumeTrue(EpollIo.unavailableReason() != null, "the own engine can run on this Netty");
        RelayConfig own = RelayCase.EPOLL_SPLICE_OWN.config().build();
        try (RelayFixture fixture = new RelayFixture(RelayCase.EPOLL_SPLICE, own);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> fixture.nextRelay().completion().get(5, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, failure.getCause());
            assertTrue(failure.getCause().getMessage().startsWith(
                    "SPLICE mode cannot be used: the IO_HANDLE engine cannot run: "), failure.getCause()::getMessage);
        }
    }

    @Test
    void autoCopiesOnNioAndSaysWhy() throws Exception {
        RelayStats stats = relayBothWays(RelayCase.NIO_COPY, fixture -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                fixture.relay(ch, AUTO);
            }
        });
        assertEquals(RelayMode.COPY, stats.mode(), stats::toString);
        assertTrue(stats.modeReason().contains("NioSocketChannel, not an epoll stream channel"), stats::toString);
    }

    @Test
    void autoCopiesWhenAnotherHandlerMustSeeTheBytes() throws Exception {
        RelayStats stats = relayBothWays(RelayCase.EPOLL_SPLICE, fixture -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("wiretap", new LoggingHandler());
                fixture.relay(ch, AUTO);
            }
        });
        assertEquals(RelayMode.COPY, stats.mode(), stats::toString);
        assertTrue(stats.modeReason().contains("handler 'wiretap' (LoggingHandler) in the inbound pipeline"),
                stats::toString);
    }

    @Test
    void autoCopiesOnIoUringThroughAnIoUringPeerAndSaysWhy() throws Exception {
        AtomicReference<Class<?>> peerClass = new AtomicReference<>();
        RelayStats stats = relayBothWays(RelayCase.IOURING_COPY, fixture -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                fixture.relay(ch, AUTO);
            }
        }, relay -> peerClass.set(relay.peer().getClass()));
        assertEquals(IoUringTransport.socketChannelClass(), peerClass.get(), "RelayBootstrap's peer transport");
        assertEquals(RelayMode.COPY, stats.mode(), stats::toString);
        assertEquals(Optional.empty(), stats.spliceEngine(), stats::toString);
        assertTrue(stats.modeReason().contains("inbound channel is a IoUringSocketChannel, not an epoll stream "
                + "channel (Netty's io_uring transport cannot splice one socket to another"), stats::toString);
    }

    @Test
    void autoCopiesBetweenDifferentEventLoops() throws Exception {
        assertAutoCopiesWithPeerOn(RelayCase.EPOLL_SPLICE, RelayCase.EPOLL_SPLICE, EpollSocketChannel.class,
                "different event loops");
    }

    @Test
    void autoCopiesBetweenEpollAndNio() throws Exception {
        assertAutoCopiesWithPeerOn(RelayCase.EPOLL_SPLICE, RelayCase.NIO_COPY, NioSocketChannel.class,
                "peer channel is a NioSocketChannel");
    }

    @Test
    void autoCopiesBetweenEpollAndIoUring() throws Exception {
        RelayCase.IOURING_COPY.assumeAvailable();
        assertAutoCopiesWithPeerOn(RelayCase.EPOLL_SPLICE, RelayCase.IOURING_COPY,
                IoUringTransport.socketChannelClass(), "peer channel is a IoUringSocketChannel");
    }

    @Test
    void autoCopiesBetweenIoUringAndEpoll() throws Exception {
        assertAutoCopiesWithPeerOn(RelayCase.IOURING_COPY, RelayCase.EPOLL_COPY, EpollSocketChannel.class,
                "inbound channel is a IoUringSocketChannel");
    }

    @Test
    void autoCopiesBetweenIoUringAndNio() throws Exception {
        assertAutoCopiesWithPeerOn(RelayCase.IOURING_COPY, RelayCase.NIO_COPY, NioSocketChannel.class,
                "inbound channel is a IoUringSocketChannel");
    }

    /** Relays {@code inboundTransport}'s channels to peers connected on an event loop of {@code peerTransport}. */
    private static void assertAutoCopiesWithPeerOn(RelayCase inboundTransport, RelayCase peerTransport,
                                                   Class<? extends Channel> peerChannel, String reason)
            throws Exception {
        inboundTransport.assumeAvailable();
        peerTransport.assumeAvailable();
        EventLoopGroup peerGroup = peerTransport.newGroup(1);
        try {
            RelayStats stats = relayBothWays(inboundTransport,
                    fixture -> connectWith(fixture, peerGroup, peerChannel));
            assertEquals(RelayMode.COPY, stats.mode(), stats::toString);
            assertEquals(Optional.empty(), stats.spliceEngine(), stats::toString);
            assertTrue(stats.modeReason().contains(reason), stats::toString);
        } finally {
            peerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void spliceOnNioFailsWithTheReasonAndClosesTheClient() throws Exception {
        assertSpliceFailsWithTheReasonAndClosesTheClient(RelayCase.NIO_COPY,
                "SPLICE mode cannot be used: the inbound channel is a NioSocketChannel, not an epoll stream channel");
    }

    @Test
    void spliceOnIoUringFailsWithTheReasonAndClosesTheClient() throws Exception {
        assertSpliceFailsWithTheReasonAndClosesTheClient(RelayCase.IOURING_COPY,
                "SPLICE mode cannot be used: the inbound channel is a IoUringSocketChannel, not an epoll stream "
                        + "channel (Netty's io_uring transport cannot splice one socket to another: "
                        + "netty/netty#15907)");
    }

    private static void assertSpliceFailsWithTheReasonAndClosesTheClient(RelayCase relayCase, String message)
            throws Exception {
        RelayConfig splice = RelayConfig.builder().mode(RelayMode.SPLICE).build();
        try (RelayFixture fixture = new RelayFixture(relayCase, splice);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> relay.completion().get(5, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, failure.getCause());
            assertEquals(message, failure.getCause().getMessage());
            assertEquals(-1, readOrEnd(client), "the client's connection is closed");
            assertEquals(-1, readOrEnd(backend), "the backend's connection is closed");
        }
    }

    private static int readOrEnd(Socket socket) {
        try {
            return socket.getInputStream().read();
        } catch (java.io.IOException reset) {
            return -1;
        }
    }

    /** A child handler that connects the relay's peer with {@code group} and {@code channelClass}. */
    private static ChannelInitializer<Channel> connectWith(RelayFixture fixture, EventLoopGroup group,
                                                           Class<? extends Channel> channelClass) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                fixture.relay(ch, AUTO, fixture.connectOn(ch, group, channelClass));
            }
        };
    }

    private static RelayStats relayBothWays(RelayCase relayCase,
                                            java.util.function.Function<RelayFixture, ChannelInitializer<Channel>> init)
            throws Exception {
        return relayBothWays(relayCase, init, relay -> { });
    }

    /** Relays {@link #SIZE} bytes each way, byte-exact; {@code inspect} sees the relay before it ends. */
    private static RelayStats relayBothWays(RelayCase relayCase,
                                            java.util.function.Function<RelayFixture, ChannelInitializer<Channel>> init,
                                            Consumer<RelayFixture.Relayed> inspect)
            throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, init::apply);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            inspect.accept(relay);
            Future<Transfer> up = fixture.async(() -> Streams.send(client, SIZE, 1, true));
            Future<Transfer> down = fixture.async(() -> Streams.send(backend, SIZE, 2, true));
            Future<Transfer> backendReceived = fixture.async(() -> Streams.receive(backend));
            Transfer clientReceived = Streams.receive(client);
            assertEquals(down.get(), clientReceived, "backend -> client");
            assertEquals(up.get(), backendReceived.get(), "client -> backend");
            RelayStats stats = relay.completion().get(10, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            assertEquals(SIZE, stats.bytesInboundToPeer(), stats::toString);
            assertEquals(SIZE, stats.bytesPeerToInbound(), stats::toString);
            return stats;
        }
    }
}
