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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idle timeout closes a relay where no byte moves either way, in splice mode too, and only then. */
@Timeout(30)
class IdleTimeoutTest {
    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void closesBothSidesWhenNoByteMovesForTheTimeout(RelayCase relayCase) throws Exception {
        RelayConfig config = relayCase.config().idleTimeout(Duration.ofMillis(300)).build();
        try (RelayFixture fixture = new RelayFixture(relayCase, config);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Transfer hello = Streams.send(client, 100, 1, false);
            Future<Transfer> clientEnd = fixture.async(() -> Streams.receive(client));
            Transfer backendEnd = Streams.receive(backend);
            assertEquals(hello, backendEnd, "what moved before the relay went idle");
            assertEquals(0, clientEnd.get().bytes());

            RelayStats stats = fixture.nextStats();
            assertEquals(RelayOutcome.IDLE_TIMEOUT, stats.outcome(), stats::toString);
            assertTrue(stats.duration().toMillis() >= 300, stats::toString);
            assertEquals(100, stats.bytesInboundToPeer(), stats::toString);
        }
    }

    /**
     * A reader that pauses longer than the idle timeout while the relay still holds bytes for it must not get a
     * prefix and a FIN, which would look complete: it gets every byte or a reset, and the stats say why.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void aReaderThatPausesLongerThanTheTimeoutGetsEveryByteOrAReset(RelayCase relayCase) throws Exception {
        long size = 8L << 20;
        RelayConfig config = relayCase.config().idleTimeout(Duration.ofMillis(300)).build();
        try (RelayFixture fixture = new RelayFixture(relayCase, config);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            // The relay resets the client too, whose bytes it no longer reads: the sender's failure is expected.
            fixture.async(() -> Streams.send(client, size, 3, true));
            Thread.sleep(1000);
            Transfer received;
            try {
                received = Streams.receive(backend);
            } catch (IOException reset) {
                RelayStats stats = fixture.nextStats();
                assertEquals(RelayOutcome.IDLE_TIMEOUT, stats.outcome(), stats::toString);
                assertTrue(stats.cause().map(Throwable::getMessage).orElse("").contains("bytes still held for the "
                        + "peer, which was reset"), stats::toString);
                return;
            }
            assertEquals(Streams.expected(size, 3), received, "a stream that ended with a FIN must be whole");
        }
    }

    /**
     * A byte every 100 ms for 2 s keeps a relay with an 800 ms idle timeout open. Both sides send their FIN at once
     * after the last byte, so that the relay completes without a wait of the test's own in between, which a loaded
     * machine could stretch past the timeout.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void bytesTricklingMoreOftenThanTheTimeoutKeepTheRelayOpen(RelayCase relayCase) throws Exception {
        RelayConfig config = relayCase.config().idleTimeout(Duration.ofMillis(800)).build();
        try (RelayFixture fixture = new RelayFixture(relayCase, config);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Future<Transfer> received = fixture.async(() -> Streams.receive(backend));
            OutputStream out = client.getOutputStream();
            for (int i = 0; i < 20; i++) {
                out.write(i);
                out.flush();
                Thread.sleep(100);
            }
            client.shutdownOutput();
            Streams.send(backend, 0, 2, true);
            assertEquals(20, received.get().bytes());
            assertEquals(0, Streams.receive(client).bytes());

            RelayStats stats = fixture.nextStats();
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            assertTrue(stats.duration().toMillis() >= 1900, stats::toString);
        }
    }
}
