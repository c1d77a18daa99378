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
import dev.splicerelay.testing.TestSocket;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reset on one side resets the other within a second, and the stats say it was a reset.
 *
 * <p>A Unix domain socket has no reset of its own: Linux reports {@code ECONNRESET} to the other end of a Unix socket
 * that is closed with bytes left unread in it, and plain end of stream otherwise. So the side that resets first gets
 * a byte from the other side through the relay and leaves it unread, on every pair alike; TCP resets with
 * {@code SO_LINGER} 0 as well.
 */
@Timeout(30)
class ResetRelayTest {
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void clientResetMidStreamEndsTheBackendWithinOneSecond(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            Future<Long> backendEnd = fixture.async(() -> Streams.readUntilEnd(backend));
            Streams.send(client, 4 << 20, 1, false);
            RelayFixture.Relayed relay = fixture.nextRelay();
            leaveAByteUnread(backend, client, relay.handler()::bytesPeerToInbound);
            assertRelayResetAndPeerEndsWithinOneSecond(relay, client, backendEnd);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void backendResetMidStreamEndsTheClientWithinOneSecond(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            Future<Long> clientEnd = fixture.async(() -> Streams.readUntilEnd(client));
            Streams.send(backend, 4 << 20, 2, false);
            RelayFixture.Relayed relay = fixture.nextRelay();
            leaveAByteUnread(client, backend, relay.handler()::bytesInboundToPeer);
            assertRelayResetAndPeerEndsWithinOneSecond(relay, backend, clientEnd);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void peerChannelClosedLocallyMidStreamEndsTheClientAtOnce(RelayCase relayCase, SocketPair pair)
            throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            Future<Long> clientEnd = fixture.async(() -> Streams.readUntilEnd(client));
            Future<Long> backendEnd = fixture.async(() -> Streams.readUntilEnd(backend));
            Streams.send(client, 4 << 20, 3, false);
            RelayFixture.Relayed relay = fixture.nextRelay();
            long closedAt = System.nanoTime();
            relay.peer().close();
            long millis = TimeUnit.NANOSECONDS.toMillis(clientEnd.get(5, TimeUnit.SECONDS) - closedAt);
            assertTrue(millis < 1000, "the client ended " + millis + " ms after the peer channel closed");
            backendEnd.get(5, TimeUnit.SECONDS);
            RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
            assertInstanceOf(IOException.class, stats.cause().orElse(null), stats::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void anAbortedRelayResetsBothSidesAtOnce(RelayCase relayCase) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            client.out().write(1);
            assertEquals(1, backend.in().read(), "the relay runs");
            Future<Boolean> clientReset = fixture.async(() -> endsWithAReset(client));
            Future<Boolean> backendReset = fixture.async(() -> endsWithAReset(backend));
            relay.handler().abort();
            assertTrue(clientReset.get(1, TimeUnit.SECONDS), "the client read a clean end of stream");
            assertTrue(backendReset.get(1, TimeUnit.SECONDS), "the backend read a clean end of stream");
            RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
            assertEquals("the relay was aborted", stats.cause().map(Throwable::getMessage).orElse(null),
                    stats::toString);
        }
    }

    /** Whether the next read, with nothing more sent, meets a reset rather than end of stream. */
    private static boolean endsWithAReset(TestSocket socket) {
        try {
            socket.in().read();
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /**
     * {@code sender} sends the resetter one byte, which it never reads; returns once the relay has passed it on
     * ({@code relayed} counts it), so that it is in the resetter's socket when that closes.
     */
    private static void leaveAByteUnread(TestSocket sender, TestSocket resetter, LongSupplier relayed)
            throws Exception {
        sender.out().write(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (relayed.getAsLong() < 1) {
            assertTrue(System.nanoTime() < deadline, () -> "the byte for " + resetter + " was not relayed in 5 s");
            Thread.sleep(1);
        }
    }

    private static void assertRelayResetAndPeerEndsWithinOneSecond(RelayFixture.Relayed relay, TestSocket resetter,
                                                                   Future<Long> otherEnd) throws Exception {
        long resetAt = System.nanoTime();
        resetter.abort();
        long endedAt = otherEnd.get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(endedAt - resetAt);
        assertTrue(millis < 1000, "the other side ended " + millis + " ms after the reset");
        RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
        assertEquals(RelayOutcome.RESET, stats.outcome(), stats::toString);
        assertTrue(!relay.inbound().isOpen() && !relay.peer().isOpen(), "both relay channels closed");
    }
}
