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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every byte arrives, once and in order, in both directions at once, and the stats count exactly what was sent. */
@Timeout(120)
class ByteExactRelayTest {
    private static final long[] SIZES = {0, 1, 64 * 1024 - 1, 64 * 1024 + 1, 16L << 20, 256L << 20};

    static Stream<Arguments> casesAndSizes() {
        return Arrays.stream(RelayCase.values())
                .flatMap(c -> Arrays.stream(SIZES).mapToObj(size -> Arguments.of(c, size)));
    }

    @ParameterizedTest(name = "{0}: {1} bytes each way")
    @MethodSource("casesAndSizes")
    void relaysEveryByteBothWaysAtOnce(RelayCase relayCase, long size) throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Future<Transfer> clientSent = fixture.async(() -> Streams.send(client, size, 1, true));
            Future<Transfer> backendSent = fixture.async(() -> Streams.send(backend, size, 2, true));
            Future<Transfer> backendReceived = fixture.async(() -> Streams.receive(backend));
            Transfer clientReceived = Streams.receive(client);

            assertEquals(clientSent.get(), backendReceived.get(), "client -> backend");
            assertEquals(backendSent.get(), clientReceived, "backend -> client");
            relayCase.assertCompleted(fixture.nextStats(), size, size);
        }
    }
}
