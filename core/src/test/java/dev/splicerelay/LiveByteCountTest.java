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

import java.io.InputStream;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** While a relay runs, its handler reports the bytes moved so far each way, to any thread. */
@Timeout(30)
class LiveByteCountTest {
    private static final int UP = 3 << 20;
    private static final int DOWN = 1 << 20;

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void handlerCountsBytesWhileTheRelayRuns(RelayCase relayCase) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            SpliceRelayHandler handler = relay.handler();
            Streams.send(client, UP, 1, false);
            readExactly(backend, UP);
            Streams.send(backend, DOWN, 2, false);
            readExactly(client, DOWN);

            assertEquals(UP, handler.bytesInboundToPeer());
            assertEquals(DOWN, handler.bytesPeerToInbound());
            assertEquals(RelayOutcome.COMPLETED, finish(client, backend, relay).outcome());
        }
    }

    private static void readExactly(Socket socket, int bytes) throws Exception {
        byte[] buf = new byte[64 * 1024];
        InputStream in = socket.getInputStream();
        for (int left = bytes; left > 0; ) {
            int n = in.read(buf, 0, Math.min(buf.length, left));
            assertTrue(n > 0, "stream ended early");
            left -= n;
        }
    }

    private static RelayStats finish(Socket client, Socket backend, RelayFixture.Relayed relay) throws Exception {
        client.shutdownOutput();
        backend.shutdownOutput();
        Transfer clientRest = Streams.receive(client);
        Transfer backendRest = Streams.receive(backend);
        assertEquals(0, clientRest.bytes() + backendRest.bytes());
        return relay.completion().get();
    }
}
