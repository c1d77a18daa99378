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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Relays between TCP and Unix domain sockets and between two Unix domain sockets, on epoll: both are epoll stream
 * channels, so they splice as TCP does, byte-exact both ways with half-close; the idle timeout ends an idle pair, and
 * no fd is left behind. The other guarantees of the core suite run on these pairs in their own tests, through
 * {@link SocketPair#casesAndPairs()}.
 */
@Timeout(60)
class UnixDomainRelayTest {
    /** The sizes of {@code ByteExactRelayTest} up to 16 MiB: nothing, one byte, either side of a 64 KiB pipe. */
    private static final long[] SIZES = {0, 1, 65_535, 65_537, 16L << 20};

    static Stream<Arguments> casesPairsAndSizes() {
        return unixPairs().flatMap(caseAndPair -> LongStream.of(SIZES)
                .mapToObj(size -> Arguments.of(caseAndPair.get()[0], caseAndPair.get()[1], size)));
    }

    @ParameterizedTest(name = "{0}: {1}, {2} B each way")
    @MethodSource("casesPairsAndSizes")
    void relaysToAUnixDomainBackendByteExact(RelayCase relayCase, SocketPair pair, long size) throws Exception {
        try (RelayFixture relays = new RelayFixture(relayCase, pair, relayCase.config().build());
             TestSocket client = relays.newClient();
             TestSocket backend = relays.nextBackend()) {
            Future<Transfer> up = relays.async(() -> Streams.send(client, size, 1, true));
            Future<Transfer> down = relays.async(() -> Streams.send(backend, size, 2, true));
            Future<Transfer> atBackend = relays.async(() -> Streams.receive(backend));
            Transfer atClient = Streams.receive(client);
            assertEquals(down.get(), atClient, "backend -> client");
            assertEquals(up.get(), atBackend.get(), "client -> backend");
            RelayStats stats = relays.nextStats();
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            relayCase.assertRanIn(stats);
            assertEquals(size, stats.bytesInboundToPeer(), stats::toString);
            assertEquals(size, stats.bytesPeerToInbound(), stats::toString);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("unixPairs")
    void anIdleUnixPairIsClosedByTheIdleTimeout(RelayCase relayCase, SocketPair pair) throws Exception {
        RelayConfig config = relayCase.config().idleTimeout(Duration.ofMillis(300)).build();
        try (RelayFixture relays = new RelayFixture(relayCase, pair, config);
             TestSocket client = relays.newClient();
             TestSocket backend = relays.nextBackend()) {
            Transfer hello = Streams.send(client, 100, 3, false);
            Future<Transfer> atClient = relays.async(() -> Streams.receive(client));
            assertEquals(hello, Streams.receive(backend), "what moved before the relay went idle");
            assertEquals(0, atClient.get().bytes());
            RelayStats stats = relays.nextStats();
            assertEquals(RelayOutcome.IDLE_TIMEOUT, stats.outcome(), stats::toString);
            assertTrue(stats.duration().toMillis() >= 300, stats::toString);
            relayCase.assertRanIn(stats);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("unixPairs")
    void unixRelaysLeaveNoFileDescriptorBehind(RelayCase relayCase, SocketPair pair) throws Exception {
        OpenFds.assumeCountable();
        try (RelayFixture relays = new RelayFixture(relayCase, pair, relayCase.config().build())) {
            relayOneKiB(relays);
            int baseline = OpenFds.exceptPooledPipes();
            for (int i = 0; i < 200; i++) {
                relayOneKiB(relays);
            }
            int open = OpenFds.awaitAtMost(baseline, OpenFds::exceptPooledPipes);
            assertTrue(open <= baseline, open + " open fds after 200 relays, " + baseline + " before");
        }
    }

    private static void relayOneKiB(RelayFixture relays) throws Exception {
        try (TestSocket client = relays.newClient();
             TestSocket backend = relays.nextBackend()) {
            Transfer request = Streams.send(client, 1024, 4, true);
            assertEquals(request, Streams.receive(backend));
            Transfer reply = Streams.send(backend, 1024, 5, true);
            assertEquals(reply, Streams.receive(client));
        }
        assertEquals(RelayOutcome.COMPLETED, relays.nextStats().outcome());
    }

    static Stream<Arguments> unixPairs() {
        return SocketPair.casesAndPairs().filter(caseAndPair -> ((SocketPair) caseAndPair.get()[1]).hasUnix());
    }
}
