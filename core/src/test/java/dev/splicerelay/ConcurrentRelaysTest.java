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
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** 100 connections relayed at once, each full duplex, each byte-exact with exact stats. */
@Timeout(120)
class ConcurrentRelaysTest {
    private static final int CONNECTIONS = 100;
    private static final long SIZE = 512 * 1024;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void hundredConcurrentFullDuplexRelaysAreByteExact(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair)) {
            List<TestSocket> clients = new ArrayList<>();
            List<TestSocket> backends = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    clients.add(fixture.newClient());
                    backends.add(fixture.nextBackend());
                }
                List<Future<Transfer>> sent = new ArrayList<>();
                List<Future<Transfer>> received = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    TestSocket client = clients.get(i);
                    TestSocket backend = backends.get(i);
                    long seed = i;
                    sent.add(fixture.async(() -> Streams.send(client, SIZE, seed, true)));
                    sent.add(fixture.async(() -> Streams.send(backend, SIZE, seed + CONNECTIONS, true)));
                    received.add(fixture.async(() -> Streams.receive(backend)));
                    received.add(fixture.async(() -> Streams.receive(client)));
                }
                for (int i = 0; i < sent.size(); i++) {
                    assertEquals(sent.get(i).get(), received.get(i).get(), "transfer " + i);
                }
                for (int i = 0; i < CONNECTIONS; i++) {
                    RelayStats stats = fixture.nextStats();
                    assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
                    assertEquals(SIZE, stats.bytesInboundToPeer(), stats::toString);
                    assertEquals(SIZE, stats.bytesPeerToInbound(), stats::toString);
                }
            } finally {
                for (TestSocket socket : clients) {
                    socket.close();
                }
                for (TestSocket socket : backends) {
                    socket.close();
                }
            }
        }
    }
}
