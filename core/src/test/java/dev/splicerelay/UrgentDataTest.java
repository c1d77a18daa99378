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
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP urgent data ({@code MSG_OOB}) never stalls a relay nor cuts its stream: the urgent byte is dropped, as a plain
 * {@code recv} without {@code SO_OOBINLINE} drops it, and every normal byte around it arrives in order, in every mode.
 * The kernel's splice read stops at the urgent mark; the splice engines must get past it by themselves.
 *
 * <p>The normal bytes never take the urgent byte's value, {@link #URGENT}, so that the receiver can tell them apart:
 * TCP knows one urgent mark at a time, and an urgent byte that a newer mark overtakes before the reader reached it
 * becomes a normal byte (Linux does this for any reader, copy or splice). Such a byte may only turn up exactly where
 * it was sent. TCP only: Java cannot send urgent data on a Unix domain socket. Every relay case runs on channels, and
 * the {@link SpliceRelayServer}'s two modes without them, whose splice mode copies until a direction has bulk.
 */
@Timeout(60)
class UrgentDataTest {
    private static final int URGENT = 0xFF;
    private static final int AROUND = 1000;
    private static final long CPU_WINDOW_MILLIS = 2000;
    /** A spin detector, not a benchmark: a relay spinning at an urgent mark uses about the whole window. */
    private static final long MAX_CPU_MILLIS = 500;

    @ParameterizedTest(name = "{0}")
    @MethodSource("relays")
    void bytesAroundAClientsUrgentByteArriveInOrderBeforeTheFin(Relays relays) throws Exception {
        try (TcpRelayFixture fixture = relays.open();
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            sendAroundAnUrgentByte(client, backend, 1, true);
            backend.shutdownOutput();
            assertEquals(-1, client.getInputStream().read(), "backend -> client");
            relays.relayCase().assertCompleted(fixture.nextStats(), 2 * AROUND, 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("relays")
    void bytesAroundABackendsUrgentByteArriveInOrderBeforeTheFin(Relays relays) throws Exception {
        try (TcpRelayFixture fixture = relays.open();
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            client.shutdownOutput();
            assertEquals(-1, backend.getInputStream().read(), "client -> backend");
            sendAroundAnUrgentByte(backend, client, 2, true);
            relays.relayCase().assertCompleted(fixture.nextStats(), 0, 2 * AROUND);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("relays")
    void aRelayWaitingBehindAnUrgentByteUsesNoCpu(Relays relays) throws Exception {
        try (TcpRelayFixture fixture = relays.open();
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Received first = sendNormal(client, 3);
            assertEquals(first, receive(backend.getInputStream(), AROUND), "before the urgent byte");
            client.sendUrgentData(URGENT);
            Received second = sendNormal(client, 4);
            long cpuBefore = ProcessCpu.nanos();
            Thread.sleep(CPU_WINDOW_MILLIS);
            long cpuMillis = TimeUnit.NANOSECONDS.toMillis(ProcessCpu.nanos() - cpuBefore);
            System.out.printf("%s: %d ms of process CPU in %d ms after an urgent byte%n", relays,
                    cpuMillis, CPU_WINDOW_MILLIS);
            assertTrue(cpuMillis < MAX_CPU_MILLIS,
                    "the process used " + cpuMillis + " ms of CPU in " + CPU_WINDOW_MILLIS + " ms after an urgent byte");
            assertEquals(second, receive(backend.getInputStream(), AROUND), "after the urgent byte, no FIN yet");
            client.shutdownOutput();
            assertEquals(-1, backend.getInputStream().read(), "the FIN after them");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("relays")
    void manyUrgentBytesInterleavedWith64MiBBothWays(Relays relays) throws Exception {
        long size = 64L << 20;
        try (TcpRelayFixture fixture = relays.open();
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Future<Sent> up = fixture.async(() -> sendInterleaved(client, size, 4));
            Future<Sent> down = fixture.async(() -> sendInterleaved(backend, size, 5));
            Future<Received> atBackend = fixture.async(() -> receive(backend.getInputStream()));
            Received atClient = receive(client.getInputStream());
            up.get().assertReceived(atBackend.get(), "client -> backend");
            down.get().assertReceived(atClient, "backend -> client");
            // An urgent byte that came in line is a normal byte to the relay too.
            relays.relayCase().assertCompleted(fixture.nextStats(), size + atBackend.get().urgentInLineAt().size(),
                    size + atClient.urgentInLineAt().size());
        }
    }

    /** Every relay case on channels, and the server's two modes. */
    static Stream<Relays> relays() {
        return Stream.concat(Stream.of(RelayCase.values()).map(c -> new Relays(c, false)),
                Stream.of(RelayCase.EPOLL_SPLICE_OWN, RelayCase.EPOLL_COPY).map(c -> new Relays(c, true)));
    }

    /** A relay case, run by a {@link SpliceRelayServer} or on channels. */
    record Relays(RelayCase relayCase, boolean server) {
        TcpRelayFixture open() throws Exception {
            return server ? new ServerFixture(relayCase) : new RelayFixture(relayCase);
        }

        @Override
        public String toString() {
            return server ? relayCase + " (SpliceRelayServer)" : relayCase.toString();
        }
    }

    /**
     * Sends {@link #AROUND} normal bytes and waits until {@code receiver} has them, so that the relay runs (its splice,
     * if it splices) when the urgent byte comes; then the urgent byte, {@link #AROUND} more normal bytes and a FIN if
     * asked. {@code receiver} must get the normal bytes, in order, and the FIN if one was sent.
     */
    private static void sendAroundAnUrgentByte(Socket sender, Socket receiver, long seed, boolean fin)
            throws IOException {
        InputStream in = receiver.getInputStream();
        assertEquals(sendNormal(sender, seed), receive(in, AROUND), "before the urgent byte");
        sender.sendUrgentData(URGENT);
        Received second = sendNormal(sender, seed + 100);
        if (fin) {
            sender.shutdownOutput();
            assertEquals(second, receive(in), "after the urgent byte, up to the FIN");
        } else {
            assertEquals(second, receive(in, AROUND), "after the urgent byte");
        }
    }

    private static Received sendNormal(Socket socket, long seed) throws IOException {
        byte[] bytes = normalBytes(new SplittableRandom(seed), AROUND);
        socket.getOutputStream().write(bytes);
        return new Received(AROUND, Streams.sha256(bytes), List.of());
    }

    /**
     * Sends {@code size} normal bytes in writes of random length, with an urgent byte after most of them, then a FIN.
     */
    private static Sent sendInterleaved(Socket socket, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest digest = Streams.newSha256();
        OutputStream out = socket.getOutputStream();
        TreeSet<Long> urgentAt = new TreeSet<>();
        long sent = 0;
        while (sent < size) {
            byte[] bytes = normalBytes(random, (int) Math.min(size - sent, 1 + random.nextInt(128 * 1024)));
            digest.update(bytes);
            out.write(bytes);
            sent += bytes.length;
            if (sent < size && random.nextInt(4) != 0) {
                socket.sendUrgentData(URGENT);
                urgentAt.add(sent);
            }
        }
        socket.shutdownOutput();
        return new Sent(new Received(size, Streams.hex(digest), List.of()), urgentAt);
    }

    private static Received receive(InputStream in) throws IOException {
        return receive(in, Long.MAX_VALUE);
    }

    /**
     * Reads {@code limit} normal bytes or up to end of stream, hashing the normal bytes and noting where (after how
     * many normal bytes) an urgent byte turned up among them.
     */
    private static Received receive(InputStream in, long limit) throws IOException {
        MessageDigest digest = Streams.newSha256();
        List<Long> urgentAt = new ArrayList<>();
        byte[] buf = new byte[64 * 1024];
        long normal = 0;
        while (normal < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - normal));
            if (n < 0) {
                break;
            }
            int from = 0;
            for (int i = 0; i < n; i++) {
                if ((buf[i] & 0xFF) == URGENT) {
                    digest.update(buf, from, i - from);
                    normal += i - from;
                    urgentAt.add(normal);
                    from = i + 1;
                }
            }
            digest.update(buf, from, n - from);
            normal += n - from;
        }
        return new Received(normal, Streams.hex(digest), urgentAt);
    }

    private static byte[] normalBytes(SplittableRandom random, int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) random.nextInt(URGENT);
        }
        return bytes;
    }

    /** What a receiver got: its normal bytes, and the offsets at which urgent bytes came in line with them. */
    private record Received(long bytes, String sha256, List<Long> urgentInLineAt) {
    }

    private record Sent(Received normal, TreeSet<Long> urgentAt) {
        void assertReceived(Received received, String direction) {
            assertEquals(normal.bytes(), received.bytes(), direction + ": normal bytes");
            assertEquals(normal.sha256(), received.sha256(), direction + ": normal bytes' SHA-256");
            for (long at : received.urgentInLineAt()) {
                assertTrue(urgentAt.contains(at), direction + ": an urgent byte in line after " + at
                        + " normal bytes, where none was sent");
            }
            System.out.printf("%s: %d urgent bytes sent, %d of them arrived in line%n", direction, urgentAt.size(),
                    received.urgentInLineAt().size());
        }
    }
}
