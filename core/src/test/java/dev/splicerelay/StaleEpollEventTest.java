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
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.Native;
import io.netty.channel.socket.DuplexChannel;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a stale epoll event can do to a relay's channels, and that the relay never turns it into lost bytes.
 *
 * <p>Netty's epoll transport looks channels up by fd number. An event fetched in one {@code epoll_wait} batch for a
 * channel that closes during that batch reaches whichever channel got the freed number later in the same batch: one
 * just accepted, or a peer just created to connect. A stale {@code EPOLLRDHUP} marks the first for the rest of its
 * life (Netty's splice would then end its stream at once) and stops Netty asking for {@code EPOLLRDHUP} on it, and
 * shuts the input of the second down before it connects. The chaos test met both: a clean relay that completed after
 * 29 ms with none of the target's bytes, and a SPLICE relay refused for a mark it could not tell from a real FIN.
 * These tests put the channels in those states directly.
 */
@Timeout(30)
class StaleEpollEventTest {
    private static final int SIZE = 4 << 20;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_COPY", "EPOLL_SPLICE", "EPOLL_SPLICE_OWN"})
    void aPeerWhoseInputWasShutDownBeforeItConnectedFailsTheRelayInsteadOfEndingItsStream(RelayCase relayCase)
            throws Exception {
        RelayConfig config = relayCase.config().build();
        try (RelayFixture fixture = new RelayFixture(relayCase, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelFuture registered = RelayBootstrap.forInbound(ch, f.backendAddress()).register();
                // What a stale EPOLLRDHUP does to a channel that is not connected yet.
                ((DuplexChannel) registered.channel()).shutdownInput();
                f.relay(ch, config, registered.channel().connect(f.backendAddress()));
            }
        });
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            client.shutdownOutput();
            RelayStats stats = fixture.nextStats();
            assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
            assertTrue(stats.cause().map(Throwable::getMessage).orElse("").contains("before its connect completed"),
                    stats::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE", "EPOLL_SPLICE_OWN"})
    void aStaleRdHupBeforeTheStartDoesNotEndTheSplicedStream(RelayCase relayCase) throws Exception {
        relayCase.assumeAvailable();
        RelayConfig splice = relayCase.config().build();
        try (RelayFixture fixture = new RelayFixture(relayCase, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) throws Exception {
                staleRdHup(ch);
                f.relay(ch, splice);
            }
        });
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Future<Transfer> up = fixture.async(() -> Streams.send(client, SIZE, 2, true));
            Future<Transfer> down = fixture.async(() -> Streams.send(backend, SIZE, 3, true));
            assertEquals(Streams.expected(SIZE, 2), Streams.receive(backend), "client to backend");
            assertEquals(Streams.expected(SIZE, 3), Streams.receive(client), "backend to client");
            up.get(10, TimeUnit.SECONDS);
            down.get(10, TimeUnit.SECONDS);
            assertSplicedToCompletion(relayCase, fixture.nextStats(), SIZE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_SPLICE", "EPOLL_SPLICE_OWN"})
    void aFinWaitingUnseenWhenTheRelayStartsEndsTheSplicedStreamAfterItsBytes(RelayCase relayCase) throws Exception {
        relayCase.assumeAvailable();
        RelayConfig splice = relayCase.config().build();
        int size = 100_000;
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        try (RelayFixture fixture = new RelayFixture(relayCase, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) throws Exception {
                // With AUTO_READ off and EPOLLRDHUP no longer asked for, nothing tells Netty of the client's FIN.
                staleRdHup(ch);
                accepted.complete(ch);
            }
        });
             Socket client = fixture.connect()) {
            Streams.send(client, size, 4, true);
            Channel inbound = accepted.get(10, TimeUnit.SECONDS);
            inbound.eventLoop().execute(() -> fixture.relay(inbound, splice));
            try (Socket backend = fixture.acceptBackend()) {
                assertEquals(Streams.expected(size, 4), Streams.receive(backend), "client to backend");
                Streams.send(backend, size, 5, true);
                assertEquals(Streams.expected(size, 5), Streams.receive(client), "backend to client");
            }
            assertSplicedToCompletion(relayCase, fixture.nextStats(), size);
        }
    }

    private static void assertSplicedToCompletion(RelayCase relayCase, RelayStats stats, long size) {
        assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
        relayCase.assertRanIn(stats);
        assertEquals(size, stats.bytesInboundToPeer(), stats::toString);
        assertEquals(size, stats.bytesPeerToInbound(), stats::toString);
    }

    /**
     * What a stale {@code EPOLLRDHUP} does to an open channel: Netty marks its read handle for the rest of the
     * channel's life and stops asking epoll for {@code EPOLLRDHUP}.
     */
    private static void staleRdHup(Channel channel) throws IOException {
        try {
            Object handle = channel.unsafe().recvBufAllocHandle();
            Field receivedRdHup = Class.forName("io.netty.channel.epoll.EpollRecvByteAllocatorHandle")
                    .getDeclaredField("receivedRdHup");
            receivedRdHup.setAccessible(true);
            receivedRdHup.setBoolean(handle, true);
            Method clearFlag = AbstractEpollStreamChannel.class.getSuperclass().getDeclaredMethod("clearFlag", int.class);
            clearFlag.setAccessible(true);
            clearFlag.invoke(channel, Native.EPOLLRDHUP);
        } catch (InvocationTargetException e) {
            throw new IOException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IOException("this Netty's epoll channel does not keep EPOLLRDHUP as splice-relay expects", e);
        }
    }
}
