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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A FIN reaches the other side only after every byte before it, and the other direction flows on to its end. */
@Timeout(60)
class HalfCloseRelayTest {
    private static final long RESPONSE = 32L << 20;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void clientThatSendsRequestAndFinGetsTheWholeResponse(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            Transfer request = Streams.send(client, 1024, 1, true);
            assertEquals(request, Streams.receive(backend), "request");
            Future<Transfer> response = fixture.async(() -> Streams.send(backend, RESPONSE, 2, true));
            // A client that reads late makes the relay wait for EPOLLOUT on the channel whose input is at EOF.
            Thread.sleep(300);
            Transfer received = Streams.receive(client);
            assertEquals(response.get(), received, "response");
            assertCompleted(fixture.nextStats(), 1024, RESPONSE);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void largeTransferFollowedAtOnceByFinReachesSlowReaderWhole(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            Future<Transfer> upload = fixture.async(() -> Streams.send(client, RESPONSE, 3, true));
            Thread.sleep(300);
            Transfer uploaded = Streams.receive(backend, 16 * 1024, 1);
            assertEquals(upload.get(), uploaded, "upload read slowly");
            // Answer only once the relay has long processed the FIN: the case that breaks on Netty 4.2.13+ epoll.
            Thread.sleep(200);
            Future<Transfer> answer = fixture.async(() -> Streams.send(backend, RESPONSE, 4, true));
            Transfer answered = Streams.receive(client);
            assertEquals(answer.get(), answered, "answer after the FIN");
            assertCompleted(fixture.nextStats(), RESPONSE, RESPONSE);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void backendThatFinishesFirstStillReceivesEverythingTheClientSends(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            // Sent while the client reads: 1 MiB does not fit in the buffers of two Unix domain sockets and a relay.
            Future<Transfer> greeting = fixture.async(() -> Streams.send(backend, 1 << 20, 5, true));
            Transfer greeted = Streams.receive(client);
            assertEquals(greeting.get(), greeted, "greeting");
            Future<Transfer> upload = fixture.async(() -> Streams.send(client, RESPONSE, 6, true));
            Transfer uploaded = Streams.receive(backend);
            assertEquals(upload.get(), uploaded, "upload after the backend's FIN");
            assertCompleted(fixture.nextStats(), RESPONSE, 1 << 20);
        }
    }

    /**
     * A client whose request and FIN were read before the relay was added (as by a handshake handler that adds the
     * relay only after the target answered): its channel already asks epoll for nothing, which on Netty 4.2.13+ took
     * its fd out of epoll; the response must still arrive whole.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void clientWhoseFinWasReadBeforeTheRelayWasAddedGetsTheWholeResponse(RelayCase relayCase, SocketPair pair)
            throws Exception {
        RelayConfig config = relayCase.config().build();
        try (RelayFixture fixture = new RelayFixture(relayCase, pair, f -> new RelayAfterFin(f, config));
             TestSocket client = fixture.newClient()) {
            Transfer request = Streams.send(client, 1024, 7, true);
            try (TestSocket backend = fixture.nextBackend()) {
                assertEquals(request, Streams.receive(backend), "request");
                Future<Transfer> response = fixture.async(() -> Streams.send(backend, RESPONSE, 8, true));
                Thread.sleep(300);
                Transfer received = Streams.receive(client);
                assertEquals(response.get(), received, "response");
            }
            assertCompleted(fixture.nextStats(), 1024, RESPONSE);
        }
    }

    /** Reads a client's bytes and FIN, and only 200 ms after the FIN adds the relay and hands it the bytes. */
    private static final class RelayAfterFin extends ChannelInboundHandlerAdapter {
        private final RelayFixture fixture;
        private final RelayConfig config;
        private final List<Object> held = new ArrayList<>();

        RelayAfterFin(RelayFixture fixture, RelayConfig config) {
            this.fixture = fixture;
            this.config = config;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            held.add(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt != ChannelInputShutdownEvent.INSTANCE) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            ctx.executor().schedule(() -> {
                fixture.relay(ctx.channel(), config);
                held.forEach(ctx::fireChannelRead);
                held.clear();
                ctx.pipeline().remove(this);
            }, 200, TimeUnit.MILLISECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            held.forEach(ReferenceCountUtil::release);
        }
    }

    private static void assertCompleted(RelayStats stats, long inboundToPeer, long peerToInbound) {
        assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
        assertEquals(inboundToPeer, stats.bytesInboundToPeer(), stats::toString);
        assertEquals(peerToInbound, stats.bytesPeerToInbound(), stats::toString);
    }
}
