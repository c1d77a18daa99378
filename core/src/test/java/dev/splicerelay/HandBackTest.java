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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The own engine takes the channels from Netty while it relays, so their handlers must still see the life they would
 * have seen with Netty holding them: {@code channelInactive} exactly once, then {@code channelUnregistered} (which
 * removes the handlers of a closed channel), and a completed close future. A relay that ends closes its channels
 * while the engine still holds them, without registering them with Netty again first; a channel that a user's handler
 * closes in the middle of the relay gets the same events, which Netty alone would not fire for a channel it does not
 * hold.
 */
@Timeout(30)
class HandBackTest {
    private static final RelayCase OWN = RelayCase.EPOLL_SPLICE_OWN;
    private static final Object CLOSE_NOW = "close now";

    @Test
    void aCompletedRelayClosesBothChannelsWithTheirInactiveAndUnregisteredEvents() throws Exception {
        try (RelayFixture fixture = new RelayFixture(OWN);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            Future<Transfer> up = fixture.async(() -> Streams.send(client, 1 << 20, 1, true));
            awaitBytesMoving(relay.handler());
            Lifecycle inbound = watch(relay.inbound());
            Lifecycle peer = watch(relay.peer());
            assertEquals(up.get(), Streams.receive(backend), "client -> backend");
            Transfer down = Streams.send(backend, 1 << 20, 2, true);
            assertEquals(down, Streams.receive(client), "backend -> client");

            RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            OWN.assertRanIn(stats);
            assertClosedWhileHeld(relay, inbound, peer);
        }
    }

    @Test
    void aChannelAUserHandlerClosesMidRelayEndsItAndBothChannelsGetChannelInactive() throws Exception {
        try (RelayFixture fixture = new RelayFixture(OWN);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            Future<Long> drained = fixture.async(() -> Streams.readUntilEnd(backend));
            fixture.async(() -> Streams.send(client, 64L << 20, 1, true));
            awaitBytesMoving(relay.handler());
            Lifecycle inbound = watch(relay.inbound());
            Lifecycle peer = watch(relay.peer());
            relay.inbound().eventLoop().execute(() -> relay.inbound().pipeline().fireUserEventTriggered(CLOSE_NOW));

            RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
            assertTrue(stats.cause().map(Throwable::getMessage).orElse("").contains("inbound channel closed"),
                    stats::toString);
            drained.get(5, TimeUnit.SECONDS);
            assertClosedWhileHeld(relay, inbound, peer);
        }
    }

    @Test
    void aRelayEndedByAResetClosesBothChannelsWithTheirEvents() throws Exception {
        try (RelayFixture fixture = new RelayFixture(OWN);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            Future<Long> drained = fixture.async(() -> Streams.readUntilEnd(backend));
            Future<Transfer> sent = fixture.async(() -> Streams.send(client, 1 << 20, 3, false));
            awaitBytesMoving(relay.handler());
            Lifecycle inbound = watch(relay.inbound());
            Lifecycle peer = watch(relay.peer());
            sent.get(5, TimeUnit.SECONDS);
            client.setSoLinger(true, 0);
            client.close();

            RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.RESET, stats.outcome(), stats::toString);
            drained.get(5, TimeUnit.SECONDS);
            assertClosedWhileHeld(relay, inbound, peer);
        }
    }

    /** Both channels closed while the engine held them, with their events, their handlers removed, no exception. */
    private static void assertClosedWhileHeld(RelayFixture.Relayed relay, Lifecycle inbound, Lifecycle peer)
            throws Exception {
        inbound.assertClosedWhileHeld(relay.inbound());
        peer.assertClosedWhileHeld(relay.peer());
        assertTrue(inbound.handlerRemoved && peer.handlerRemoved, "the closed channels' handlers were removed");
        assertEquals(List.of(), inbound.exceptions, "exceptions in the inbound pipeline");
        assertEquals(List.of(), peer.exceptions, "exceptions in the peer pipeline");
    }

    /** Adds a {@link Lifecycle} to {@code channel}'s pipeline, on its event loop. */
    private static Lifecycle watch(Channel channel) throws Exception {
        Lifecycle lifecycle = new Lifecycle();
        channel.eventLoop().submit(() -> channel.pipeline().addFirst(lifecycle)).get(5, TimeUnit.SECONDS);
        return lifecycle;
    }

    private static void awaitBytesMoving(SpliceRelayHandler handler) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (handler.bytesInboundToPeer() == 0) {
            assertTrue(System.nanoTime() < deadline, "no byte relayed within 5 s");
            Thread.sleep(1);
        }
    }

    /** Records the lifecycle events a channel's handlers see; closes the channel on {@link #CLOSE_NOW}. */
    private static final class Lifecycle extends ChannelInboundHandlerAdapter {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Throwable> exceptions = new CopyOnWriteArrayList<>();
        volatile boolean handlerRemoved;

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            handlerRemoved = true;
        }

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            events.add("registered");
            ctx.fireChannelRegistered();
        }

        @Override
        public void channelUnregistered(ChannelHandlerContext ctx) {
            events.add("unregistered");
            ctx.fireChannelUnregistered();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            events.add("inactive");
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == CLOSE_NOW) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
            ctx.fireExceptionCaught(cause);
        }

        /** Closed while the engine held it: channelInactive, then channelUnregistered, once each. */
        void assertClosedWhileHeld(Channel channel) throws Exception {
            awaitClosed(channel, List.of("inactive", "unregistered"));
        }

        private void awaitClosed(Channel channel, List<String> expected) throws Exception {
            assertTrue(channel.closeFuture().await(5, TimeUnit.SECONDS), "the close future did not complete");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.size() < expected.size() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // Late duplicates would show here.
            Thread.sleep(200);
            assertEquals(expected, events, "lifecycle events of " + channel);
        }
    }
}
