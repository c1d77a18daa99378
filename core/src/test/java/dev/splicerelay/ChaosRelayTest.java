package dev.splicerelay;

import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Relayed connections in waves, each with random sizes each way (0–4 MiB) and a random fault at a random point.
 * Every byte that arrives is an exact prefix of what was sent (checked by SHA-256), every clean transfer arrives
 * whole, every faulted connection ends on both sides within a second of the fault, and afterwards open fds and
 * relays are back at their baseline. {@link #chaosInWaves} (epoll, copy) runs in CI; the NIO and splice
 * variants and {@link #tenThousandConnections} are in the long suite ({@code ./mvnw -B -f core/pom.xml verify -Plong}).
 */
class ChaosRelayTest {
    private static final int MAX_SIZE = 4 << 20;
    private static final int WAVE = 20;
    private static final long POOL_SLACK = 8 << 20;

    enum Fault { NONE, CLIENT_STALL, BACKEND_STALL, CLIENT_RESET, BACKEND_RESET, CLIENT_CLOSE, BACKEND_CLOSE }

    @Test
    @Timeout(240)
    void chaosInWaves() throws Exception {
        runChaos(RelayCase.EPOLL_COPY, 200, 7);
    }

    /**
     * The same chaos on NIO. In about one run in five on this machine a client's close is noticed late: the other
     * side ended 1.04 to 1.14 s after the fault, against the 1 s bound. Kept in the long suite until that is
     * explained.
     */
    @Tag("long")
    @Test
    @Timeout(240)
    void chaosInWavesOnNio() throws Exception {
        runChaos(RelayCase.NIO_COPY, 200, 7);
    }

    /**
     * The same chaos in splice mode: an open bug. About one run in three on this machine either truncates a clean
     * transfer (the relay sees a false end of stream and completes early) or hangs with an event loop blocked in
     * {@code recv} on a file descriptor number that a blocking test socket had reused, so a channel had lost its fd
     * without closing. Kept in the long suite, where it fails, until the cause is found; see README "Known issues".
     */
    @Tag("long")
    @Test
    @Timeout(240)
    void chaosInWavesSplicing() throws Exception {
        runChaos(RelayCase.EPOLL_SPLICE, 200, 7);
    }

    @Tag("long")
    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    @Timeout(3600)
    void tenThousandConnections(RelayCase relayCase) throws Exception {
        runChaos(relayCase, 10_000, 11);
    }

    private static void runChaos(RelayCase relayCase, int connections, long seed) throws Exception {
        File fdDir = new File("/proc/self/fd");
        try (RelayFixture fixture = new RelayFixture(relayCase)) {
            // One clean connection first, so that classes and jar files opened on first use are not counted.
            new Plan(1024, 1024, -2, Fault.NONE, 0, 0).run(fixture, fixture.connect(), fixture.acceptBackend(),
                    fixture.nextRelay());
            int fdBaseline = Objects.requireNonNull(fdDir.list()).length;
            long directBaseline = PlatformDependent.usedDirectMemory();
            SplittableRandom random = new SplittableRandom(seed);
            Map<Fault, Integer> counts = new EnumMap<>(Fault.class);
            for (int done = 0; done < connections; done += WAVE) {
                List<Future<Void>> wave = new ArrayList<>();
                for (int i = 0; i < Math.min(WAVE, connections - done); i++) {
                    Plan plan = Plan.random(random, done + i);
                    counts.merge(plan.fault, 1, Integer::sum);
                    Socket client = fixture.connect();
                    Socket backend = fixture.acceptBackend();
                    RelayFixture.Relayed relay = fixture.nextRelay();
                    wave.add(fixture.async(() -> plan.run(fixture, client, backend, relay)));
                }
                for (Future<Void> connection : wave) {
                    connection.get(60, TimeUnit.SECONDS);
                }
            }
            int fds = awaitFds(fdDir, fdBaseline);
            long direct = PlatformDependent.usedDirectMemory();
            System.out.printf("%s: %d connections %s; fds %d -> %d; Netty direct memory %d -> %d bytes%n",
                    relayCase, connections, counts, fdBaseline, fds, directBaseline, direct);
            assertTrue(fds <= fdBaseline, fds + " open fds after the chaos, " + fdBaseline + " before");
            // Pooled chunks may stay cached after the buffers are released (leaks fail the class anyway).
            assertTrue(direct <= directBaseline + POOL_SLACK, "Netty direct memory grew from " + directBaseline
                    + " to " + direct + " bytes");
        }
    }

    private static int awaitFds(File fdDir, int limit) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int open;
        while ((open = Objects.requireNonNull(fdDir.list()).length) > limit && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return open;
    }

    /** One connection's sizes, seeds and fault. */
    private static final class Plan {
        final int up;
        final int down;
        final long seed;
        final Fault fault;
        final int faultAt;
        final long stallMillis;

        private Plan(int up, int down, long seed, Fault fault, int faultAt, long stallMillis) {
            this.up = up;
            this.down = down;
            this.seed = seed;
            this.fault = fault;
            this.faultAt = faultAt;
            this.stallMillis = stallMillis;
        }

        static Plan random(SplittableRandom random, int index) {
            int mix = random.nextInt(3);
            int up = mix == 2 ? 0 : random.nextInt(MAX_SIZE + 1);
            int down = mix == 1 ? 0 : random.nextInt(MAX_SIZE + 1);
            Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
            return new Plan(up, down, index * 2L, fault, random.nextInt(MAX_SIZE + 1), 200 + random.nextInt(800));
        }

        Void run(RelayFixture fixture, Socket client, Socket backend, RelayFixture.Relayed relay) throws Exception {
            try (client; backend) {
                boolean clientFaults = fault == Fault.CLIENT_RESET || fault == Fault.CLIENT_CLOSE;
                boolean backendFaults = fault == Fault.BACKEND_RESET || fault == Fault.BACKEND_CLOSE;
                Future<Long> faultTime = fixture.async(() -> sendWithFault(client, up, seed,
                        clientFaults ? fault : Fault.NONE));
                Future<Long> backendFaultTime = fixture.async(() -> sendWithFault(backend, down, seed + 1,
                        backendFaults ? fault : Fault.NONE));
                Future<Received> atBackend = fixture.async(() -> receive(backend,
                        fault == Fault.BACKEND_STALL ? stallMillis : 0));
                Received atClient = receive(client, fault == Fault.CLIENT_STALL ? stallMillis : 0);
                Received backendReceived = atBackend.get(30, TimeUnit.SECONDS);
                long faultedAt = Math.max(faultTime.get(30, TimeUnit.SECONDS), backendFaultTime.get());

                assertEquals(Streams.expected(atClient.bytes, seed + 1).sha256(), atClient.sha256,
                        () -> this + ": the client received a corrupt prefix");
                assertEquals(Streams.expected(backendReceived.bytes, seed).sha256(), backendReceived.sha256,
                        () -> this + ": the backend received a corrupt prefix");
                RelayStats stats = relay.completion().get(30, TimeUnit.SECONDS);
                if (faultedAt == 0) {
                    assertEquals(down, atClient.bytes, () -> this + " " + stats);
                    assertEquals(up, backendReceived.bytes, () -> this + " " + stats);
                    assertEquals(RelayOutcome.COMPLETED, stats.outcome(), () -> this + " " + stats);
                } else {
                    Received survivor = clientFaults ? backendReceived : atClient;
                    long lateMillis = TimeUnit.NANOSECONDS.toMillis(survivor.endedAt - faultedAt);
                    assertTrue(lateMillis < 1000, () -> this + ": the other side ended " + lateMillis
                            + " ms after the fault; " + stats);
                }
            }
            return null;
        }

        /**
         * Sends; if this side is the one that faults, resets or closes the socket at {@link #faultAt} and returns
         * when, else returns 0. The other side's send may break once the fault has reached it.
         */
        private long sendWithFault(Socket socket, int size, long seed, Fault fault) throws IOException {
            boolean faulting = fault != Fault.NONE;
            if (!faulting) {
                try {
                    Streams.send(socket, size, seed, true);
                } catch (IOException brokenByTheOtherSide) {
                    if (!socketFault()) {
                        throw brokenByTheOtherSide;
                    }
                }
                return 0;
            }
            Streams.send(socket, Math.min(size, faultAt), seed, faultAt >= size);
            return fault(socket, fault);
        }

        private boolean socketFault() {
            return fault != Fault.NONE && fault != Fault.CLIENT_STALL && fault != Fault.BACKEND_STALL;
        }

        private static long fault(Socket socket, Fault fault) throws IOException {
            if (fault == Fault.CLIENT_RESET || fault == Fault.BACKEND_RESET) {
                socket.setSoLinger(true, 0);
            }
            long at = System.nanoTime();
            socket.close();
            return at;
        }

        @Override
        public String toString() {
            return "connection(up " + up + ", down " + down + ", seed " + seed + ", " + fault + " at " + faultAt + ")";
        }
    }

    private record Received(long bytes, String sha256, long endedAt) {
    }

    /** Reads until EOF, a reset or a closed socket, hashing what arrived; a stall pauses once, mid-stream. */
    private static Received receive(Socket socket, long stallMillis) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                digest.update(buf, 0, n);
                total += n;
                if (stallMillis > 0 && total > 0) {
                    Thread.sleep(stallMillis);
                    stallMillis = 0;
                }
            }
        } catch (IOException endedByFault) {
            // a reset or our own close ends the stream; what arrived before it is still checked
        }
        return new Received(total, HexFormat.of().formatHex(digest.digest()), System.nanoTime());
    }
}
