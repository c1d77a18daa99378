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
package dev.splicerelay.benchmarks;

import dev.splicerelay.testing.RefusingPort;
import dev.splicerelay.testing.Streams;
import dev.splicerelay.testing.Streams.Transfer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference relay {@code netty-raw} relays what a correct relay must, so that its numbers in BENCHMARKS.md are a
 * relay's: every byte both ways, in order, each FIN passed on after the bytes before it, and a slow reader held back
 * without loss. Blocking sockets on the test's side, against a relay on one event loop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawRelayMainTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long SIZE = 8L << 20;

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private ServerSocket target;
    private RawRelayMain relay;

    @BeforeEach
    void start() throws Exception {
        target = new ServerSocket(0, 50, LOOPBACK);
        relay = RawRelayMain.start(new InetSocketAddress(LOOPBACK, 0),
                (InetSocketAddress) target.getLocalSocketAddress(), 1);
    }

    @AfterEach
    void stop() throws IOException {
        relay.stop();
        target.close();
        threads.shutdownNow();
    }

    @Test
    void anAnswerSentAfterTheClientsFinArrivesWhole() throws Exception {
        CompletableFuture<Transfer> targetReceived = new CompletableFuture<>();
        threads.execute(() -> {
            try (Socket accepted = target.accept()) {
                targetReceived.complete(Streams.receive(accepted));
                Streams.send(accepted, SIZE, 2, true);
            } catch (IOException e) {
                targetReceived.completeExceptionally(e);
            }
        });
        try (Socket client = new Socket(LOOPBACK, relay.localAddress().getPort())) {
            Streams.send(client, SIZE, 1, true);
            assertEquals(Streams.expected(SIZE, 1), targetReceived.get(30, TimeUnit.SECONDS));
            assertEquals(Streams.expected(SIZE, 2), Streams.receive(client));
        }
    }

    @Test
    void bothDirectionsAtOnceWithASlowReaderLoseNothing() throws Exception {
        CompletableFuture<Transfer> targetReceived = new CompletableFuture<>();
        threads.execute(() -> {
            try (Socket accepted = target.accept()) {
                threads.execute(() -> {
                    try {
                        Streams.send(accepted, SIZE, 4, true);
                    } catch (IOException e) {
                        targetReceived.completeExceptionally(e);
                    }
                });
                targetReceived.complete(Streams.receive(accepted, 16 * 1024, 1));
            } catch (IOException e) {
                targetReceived.completeExceptionally(e);
            }
        });
        try (Socket client = new Socket(LOOPBACK, relay.localAddress().getPort())) {
            CompletableFuture<Transfer> clientSent = CompletableFuture.supplyAsync(() -> {
                try {
                    return Streams.send(client, SIZE, 3, true);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            assertEquals(Streams.expected(SIZE, 4), Streams.receive(client));
            assertEquals(Streams.expected(SIZE, 3), clientSent.get(30, TimeUnit.SECONDS));
            assertEquals(Streams.expected(SIZE, 3), targetReceived.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRefusedTargetEndsTheClientsConnection() throws Exception {
        relay.stop();
        try (RefusingPort refusing = new RefusingPort()) {
            relay = RawRelayMain.start(new InetSocketAddress(LOOPBACK, 0), refusing.address(), 1);
            try (Socket client = new Socket(LOOPBACK, relay.localAddress().getPort())) {
                Streams.readUntilEnd(client);
            }
        }
    }
}
