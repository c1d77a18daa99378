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

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay waiting on an idle, half-closed connection uses next to no CPU: Netty's event loop owns readiness. What is
 * measured is the CPU of the event loops' threads, where a spinning relay would burn most of a core; the process's
 * would add the JIT compiler and the garbage collector, which used over a tenth of a 5 s wait in CI, while other
 * builds shared the CPUs.
 */
@Timeout(30)
class NoBusyLoopTest {
    private static final long IDLE_MILLIS = 2000;
    private static final long MAX_CPU_MILLIS = 200;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.splicerelay.SocketPair#casesAndPairs")
    void halfClosedIdleRelayUsesNoCpu(RelayCase relayCase, SocketPair pair) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, pair);
             TestSocket client = fixture.newClient();
             TestSocket backend = fixture.nextBackend()) {
            Transfer request = Streams.send(client, 64 * 1024, 1, true);
            assertEquals(request, Streams.receive(backend), "request");

            long cpuBefore = fixture.eventLoopCpuNanos();
            Thread.sleep(IDLE_MILLIS);
            long cpuMillis = TimeUnit.NANOSECONDS.toMillis(fixture.eventLoopCpuNanos() - cpuBefore);
            System.out.printf("%s %s: %d ms of event loop CPU in %d ms of half-closed idle relay%n",
                    relayCase, pair, cpuMillis, IDLE_MILLIS);
            assertTrue(cpuMillis < MAX_CPU_MILLIS,
                    "the event loops used " + cpuMillis + " ms of CPU in " + IDLE_MILLIS + " ms of idle relay");

            Transfer answer = Streams.send(backend, 64 * 1024, 2, true);
            assertEquals(answer, Streams.receive(client), "answer after the idle time");
            assertEquals(RelayOutcome.COMPLETED, fixture.nextStats().outcome());
        }
    }
}
