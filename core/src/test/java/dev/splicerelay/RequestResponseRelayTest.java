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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Small requests, each answered before the next is sent, as a database or RPC client makes them: every message arrives
 * whole, and none waits for more bytes to come, although each of the relay's reads finds less than it asked for; and
 * bulk bytes that follow such a conversation on the same connection all get through.
 */
@Timeout(120)
class RequestResponseRelayTest {
    private static final int EXCHANGES = 2_000;
    private static final int MAX_MESSAGE = 1_500;
    private static final long SEED = 42;
    /** Exchanges before the streams of {@link #aStreamAfterManyExchangesArrivesWhole}: many times the hint's misses. */
    private static final int EXCHANGES_BEFORE_STREAM = 100;
    private static final long STREAM = 8L << 20;

    /** The sizes of the conversation's messages: request, answer, request, answer, and so on. */
    private static int[] conversation() {
        SplittableRandom random = new SplittableRandom(SEED);
        return random.ints(2 * EXCHANGES, 1, MAX_MESSAGE + 1).toArray();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void everyRequestAndAnswerArrivesWholeInTurn(RelayCase relayCase) throws Exception {
        int[] sizes = conversation();
        try (RelayFixture fixture = new RelayFixture(relayCase);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            client.setTcpNoDelay(true);
            backend.setTcpNoDelay(true);
            Future<Side> backendConversation = fixture.async(() -> converse(backend, sizes, false));
            Side clientSide = converse(client, sizes, true);
            Side backendSide = backendConversation.get();

            assertEquals(clientSide.sent, backendSide.received, "requests");
            assertEquals(backendSide.sent, clientSide.received, "answers");
            relayCase.assertCompleted(fixture.nextStats(), total(sizes, 0), total(sizes, 1));
        }
    }

    /**
     * Exchanges first, then a stream each way at once: by then the own engine no longer splices a source again after a
     * splice that found less than it asked for ({@link ShortSpliceHint}), so the streams' bytes arrive with whatever
     * epoll reports next, and must all get through.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void aStreamAfterManyExchangesArrivesWhole(RelayCase relayCase) throws Exception {
        int[] sizes = Arrays.copyOf(conversation(), 2 * EXCHANGES_BEFORE_STREAM);
        try (RelayFixture fixture = new RelayFixture(relayCase);
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            client.setTcpNoDelay(true);
            backend.setTcpNoDelay(true);
            Future<Streamed> backendConversation =
                    fixture.async(() -> converseThenStream(fixture, backend, sizes, false));
            Streamed clientSide = converseThenStream(fixture, client, sizes, true);
            Streamed backendSide = backendConversation.get();

            assertEquals(clientSide.messages.sent, backendSide.messages.received, "requests");
            assertEquals(backendSide.messages.sent, clientSide.messages.received, "answers");
            assertEquals(clientSide.streamSent, backendSide.streamReceived, "client to backend stream");
            assertEquals(backendSide.streamSent, clientSide.streamReceived, "backend to client stream");
            relayCase.assertCompleted(fixture.nextStats(), total(sizes, 0) + STREAM, total(sizes, 1) + STREAM);
        }
    }

    /** SHA-256 of the bytes one side wrote and of those it read. */
    private record Side(String sent, String received) {
    }

    /** One side of {@link #aStreamAfterManyExchangesArrivesWhole}: its messages, then its streams. */
    private record Streamed(Side messages, Streams.Transfer streamSent, Streams.Transfer streamReceived) {
    }

    /**
     * Plays one side of the conversation ({@link #exchange}). Then the client shuts its output down and the backend,
     * at that end of stream, its own; both read to the end.
     */
    private static Side converse(Socket socket, int[] sizes, boolean client) throws IOException {
        Side side = exchange(socket, sizes, client);
        InputStream in = socket.getInputStream();
        if (client) {
            socket.shutdownOutput();
        }
        assertEquals(-1, in.read(), "the end of stream, right after the last message");
        if (!client) {
            socket.shutdownOutput();
        }
        return side;
    }

    /**
     * Plays one side of the conversation without ending it, then sends {@link #STREAM} bytes and shuts its output
     * down, while it reads the other side's stream to the end.
     */
    private static Streamed converseThenStream(RelayFixture fixture, Socket socket, int[] sizes, boolean client)
            throws Exception {
        Side messages = exchange(socket, sizes, client);
        Future<Streams.Transfer> sending = fixture.async(() -> Streams.send(socket, STREAM, client ? 3 : 4, true));
        Streams.Transfer received = Streams.receive(socket);
        return new Streamed(messages, sending.get(), received);
    }

    /**
     * The messages of one side: the client writes the even-numbered messages and reads the odd ones, the backend the
     * reverse; each side reads exactly the other's message before it writes its own. When it returns, all of them have
     * been written and read.
     */
    private static Side exchange(Socket socket, int[] sizes, boolean client) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        SplittableRandom content = new SplittableRandom(client ? 1 : 2);
        MessageDigest sent = Streams.newSha256();
        MessageDigest received = Streams.newSha256();
        for (int i = client ? 0 : 1; i < sizes.length; i += 2) {
            if (i > 0) {
                received.update(in.readNBytes(sizes[i - 1]));
            }
            byte[] message = new byte[sizes[i]];
            content.nextBytes(message);
            sent.update(message);
            out.write(message);
        }
        if (client) {
            received.update(in.readNBytes(sizes[sizes.length - 1]));
        }
        return new Side(Streams.hex(sent), Streams.hex(received));
    }

    private static long total(int[] sizes, int first) {
        long sum = 0;
        for (int i = first; i < sizes.length; i += 2) {
            sum += sizes[i];
        }
        return sum;
    }
}
