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

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After 1,000 relays have ended, the process holds no more file descriptors than before (splice holds pipes), apart
 * from the few idle pipes the own engine pools on purpose.
 */
@Timeout(120)
class FdLeakTest {
    private static final int RELAYS = 1000;
    private static final int PARALLEL = 10;
    private static final int SIZE = 4096;

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void thousandRelaysLeaveNoFileDescriptorBehind(RelayCase relayCase) throws Exception {
        OpenFds.assumeCountable();
        try (RelayFixture fixture = new RelayFixture(relayCase)) {
            runRelays(fixture, 1);
            int baseline = OpenFds.exceptPooledPipes();

            Future<?> backends = fixture.async(() -> serveBackends(fixture));
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                clients.add(fixture.async(() -> runClients(fixture, RELAYS / PARALLEL)));
            }
            for (Future<?> client : clients) {
                client.get();
            }
            backends.get();
            for (int i = 0; i < RELAYS + 1; i++) {
                RelayStats stats = fixture.nextStats();
                assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            }
            int open = OpenFds.awaitAtMost(baseline, OpenFds::exceptPooledPipes);
            System.out.printf("%s: %d open fds before, %d after %d relays%n", relayCase, baseline, open, RELAYS);
            assertTrue(open <= baseline, open + " open file descriptors after " + RELAYS + " relays, " + baseline
                    + " before");
        }
    }

    private static void runRelays(RelayFixture fixture, int count) throws Exception {
        Future<?> backends = fixture.async(() -> serveBackends(fixture, count));
        runClients(fixture, count);
        backends.get();
    }

    private static Void serveBackends(RelayFixture fixture) throws Exception {
        return serveBackends(fixture, RELAYS);
    }

    private static Void serveBackends(RelayFixture fixture, int count) throws Exception {
        List<Future<Transfer>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket backend = fixture.acceptBackend();
            answers.add(fixture.async(() -> {
                try (backend) {
                    Transfer request = Streams.receive(backend);
                    assertEquals(SIZE, request.bytes());
                    return Streams.send(backend, SIZE, 2, true);
                }
            }));
        }
        for (Future<Transfer> answer : answers) {
            answer.get();
        }
        return null;
    }

    private static Void runClients(RelayFixture fixture, int count) throws Exception {
        Transfer expectedAnswer = Streams.expected(SIZE, 2);
        for (int i = 0; i < count; i++) {
            try (Socket client = fixture.connect()) {
                Streams.send(client, SIZE, 1, true);
                assertEquals(expectedAnswer, Streams.receive(client));
            }
        }
        return null;
    }
}
