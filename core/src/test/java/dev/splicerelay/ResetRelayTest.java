package dev.splicerelay;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reset on one side resets the other within a second, and the stats say it was a reset. */
@Timeout(30)
class ResetRelayTest {
    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void clientResetMidStreamEndsTheBackendWithinOneSecond(RelayCase relayCase) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Future<Long> backendEnd = fixture.async(() -> Streams.readUntilEnd(backend));
            Streams.send(client, 4 << 20, 1, false);
            assertRelayResetAndPeerEndsWithinOneSecond(fixture, client, backendEnd);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void backendResetMidStreamEndsTheClientWithinOneSecond(RelayCase relayCase) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Future<Long> clientEnd = fixture.async(() -> Streams.readUntilEnd(client));
            Streams.send(backend, 4 << 20, 2, false);
            assertRelayResetAndPeerEndsWithinOneSecond(fixture, backend, clientEnd);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void peerChannelClosedLocallyMidStreamEndsTheClientAtOnce(RelayCase relayCase) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
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

    private static void assertRelayResetAndPeerEndsWithinOneSecond(RelayFixture fixture, Socket resetter,
                                                                   Future<Long> otherEnd) throws Exception {
        RelayFixture.Relayed relay = fixture.nextRelay();
        resetter.setSoLinger(true, 0);
        long resetAt = System.nanoTime();
        resetter.close();
        long endedAt = otherEnd.get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(endedAt - resetAt);
        assertTrue(millis < 1000, "the other side ended " + millis + " ms after the reset");
        RelayStats stats = relay.completion().get(5, TimeUnit.SECONDS);
        assertEquals(RelayOutcome.RESET, stats.outcome(), stats::toString);
        assertTrue(!relay.inbound().isOpen() && !relay.peer().isOpen(), "both relay channels closed");
    }
}
