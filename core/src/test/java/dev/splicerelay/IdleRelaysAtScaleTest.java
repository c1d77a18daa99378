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

import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scale: 10,000 relayed connections open and idle at once, each after one byte each way (so that splice relays own
 * their pipes). They all stay open, the idle process uses next to no CPU, and the memory each one costs is reported.
 * The test raises its own fd limit where it may ({@code prlimit}, which needs {@code CAP_SYS_RESOURCE} to go past the
 * hard limit); otherwise it opens as many as the limit allows and says so. A relay costs four fds here (the test's
 * client and backend sockets are in this process too), eight when Netty's spliceTo holds its pipes. In the long suite.
 *
 * <p>The test's own client and backend sockets live in the same process, so the memory is measured twice: for
 * direct client-to-backend pairs, and for relayed ones. The difference is what the relay itself costs.
 */
@Tag("long")
class IdleRelaysAtScaleTest {
    private static final int TARGET = 10_000;
    private static final long WANTED_FD_LIMIT = 131_072;
    private static final int FD_MARGIN = 1_000;
    private static final long IDLE_MILLIS = 5_000;
    private static final long MAX_IDLE_CPU_MILLIS = 1_000;

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    @Timeout(900)
    void idleRelaysByTheThousandStayOpenWithoutSpinning(RelayCase relayCase) throws Exception {
        File fdDir = new File("/proc/self/fd");
        try (RelayFixture fixture = new RelayFixture(relayCase)) {
            int fdsPerRelay = relayCase.holdsPipesWhileIdle() ? 8 : 4;
            long fdLimit = fdLimit();
            int count = (int) Math.min(TARGET, (fdLimit - openFds(fdDir) - FD_MARGIN) / fdsPerRelay);
            if (count < TARGET) {
                System.out.printf("%s: the fd limit of %d allows only %d relays%n", relayCase, fdLimit, count);
            }
            Footprint direct = withOpen(() -> openDirectPairs(fixture, count), () -> { });
            List<RelayFixture.Relayed> relays = new ArrayList<>();
            Footprint relayed = withOpen(() -> openRelays(fixture, count, relays), () -> assertEquals(0,
                    relays.stream().filter(r -> r.completion().isDone()).count(), "relays that ended while idle"));
            System.out.printf("%s: %d idle relays; per relayed connection (with the test's two sockets): heap %d B, "
                            + "Netty direct %d B, RSS %d B; the relay's own share (minus a direct pair): heap %d B, "
                            + "Netty direct %d B, RSS %d B; %d ms of process CPU in %d ms idle%n",
                    relayCase, count, relayed.heap / count, relayed.direct / count, relayed.rss / count,
                    (relayed.heap - direct.heap) / count, (relayed.direct - direct.direct) / count,
                    (relayed.rss - direct.rss) / count, relayed.idleCpuMillis, IDLE_MILLIS);
            assertTrue(relayed.idleCpuMillis < MAX_IDLE_CPU_MILLIS, relayed.idleCpuMillis
                    + " ms of CPU in " + IDLE_MILLIS + " ms with " + count + " idle relays");
            for (RelayFixture.Relayed relay : relays) {
                relay.completion().get(10, TimeUnit.SECONDS);
            }
        }
    }

    private interface Opener {
        List<Socket> open() throws Exception;
    }

    /**
     * Opens connections, measures what they cost while idle, checks {@code whileIdle}, then closes them.
     */
    private static Footprint withOpen(Opener opener, Runnable whileIdle) throws Exception {
        Footprint before = Footprint.now(0);
        List<Socket> sockets = opener.open();
        try {
            long cpuBefore = ProcessCpu.nanos();
            Thread.sleep(IDLE_MILLIS);
            long idleCpuMillis = TimeUnit.NANOSECONDS.toMillis(ProcessCpu.nanos() - cpuBefore);
            Footprint idle = Footprint.now(idleCpuMillis).minus(before);
            whileIdle.run();
            return idle;
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static List<Socket> openDirectPairs(RelayFixture fixture, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>(2 * count);
        for (int i = 0; i < count; i++) {
            Socket client = new Socket();
            sockets.add(client);
            client.connect(fixture.backendAddress(), RelayFixture.IO_TIMEOUT_MILLIS);
            Socket backend = fixture.acceptBackend();
            sockets.add(backend);
            exchangeOneByte(client, backend);
        }
        return sockets;
    }

    private static List<Socket> openRelays(RelayFixture fixture, int count, List<RelayFixture.Relayed> relays)
            throws Exception {
        List<Socket> sockets = new ArrayList<>(2 * count);
        for (int i = 0; i < count; i++) {
            Socket client = fixture.connect();
            sockets.add(client);
            Socket backend = fixture.acceptBackend();
            sockets.add(backend);
            relays.add(fixture.nextRelay());
            exchangeOneByte(client, backend);
        }
        return sockets;
    }

    private static void exchangeOneByte(Socket client, Socket backend) throws IOException {
        client.getOutputStream().write(1);
        assertEquals(1, backend.getInputStream().read(), "the byte up");
        backend.getOutputStream().write(2);
        assertEquals(2, client.getInputStream().read(), "the byte down");
    }

    /** Memory in use, after a full GC: heap, Netty's direct memory, and the process's resident set. */
    private record Footprint(long heap, long direct, long rss, long idleCpuMillis) {
        static Footprint now(long idleCpuMillis) throws IOException, InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
            return new Footprint(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                    PlatformDependent.usedDirectMemory(), residentBytes(), idleCpuMillis);
        }

        Footprint minus(Footprint before) {
            return new Footprint(heap - before.heap, direct - before.direct, rss - before.rss, idleCpuMillis);
        }
    }

    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static int openFds(File fdDir) {
        return Objects.requireNonNull(fdDir.list()).length;
    }

    /** This process's fd limit, raised first to {@link #WANTED_FD_LIMIT} if {@code prlimit} is allowed to. */
    private static long fdLimit() throws IOException, InterruptedException {
        String pid = Long.toString(ProcessHandle.current().pid());
        try {
            new ProcessBuilder("prlimit", "--pid", pid, "--nofile=" + WANTED_FD_LIMIT + ":" + WANTED_FD_LIMIT)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException noPrlimit) {
            // then the limit stays as it is
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.split("\\s+")[3]);
            }
        }
        throw new IllegalStateException("no open file limit in /proc/self/limits");
    }
}
