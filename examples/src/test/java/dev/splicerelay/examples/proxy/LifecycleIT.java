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
package dev.splicerelay.examples.proxy;

import dev.splicerelay.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy as a long-running process: draining on SIGTERM, {@code --max-connections}, the status line, and running
 * out of file descriptors.
 */
@Timeout(90)
class LifecycleIT {
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final Payload SMALL_REQUEST = new Payload(21, 1000);

    @Test
    void sigtermStopsAcceptingAndLetsOpenRelaysFinish() throws Exception {
        Payload reply = new Payload(22, 4L << 20);
        try (HashingBackend backend = new HashingBackend(reply, Duration.ofMillis(1500));
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--drain-timeout", "20s")) {
            CompletableFuture<HashingBackend.Exchange> open = CompletableFuture.supplyAsync(() -> exchange(proxy));
            Await.until(AWAIT, () -> backend.accepted() == 1, "the relay to reach the backend");
            proxy.terminate();
            assertTrue(proxy.awaitStderr("stopped accepting", Duration.ofSeconds(10)), proxy.stderr());
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), proxy.port()));
            HashingBackend.Exchange exchange = open.get(20, TimeUnit.SECONDS);
            assertEquals(SMALL_REQUEST.sha256(), exchange.requestDigest());
            assertEquals(reply.sha256(), exchange.reply().sha256(), "the open relay finished after SIGTERM");
            assertEquals(143, proxy.awaitExit(Duration.ofSeconds(10)), "128 + SIGTERM");
            assertTrue(proxy.stderr().contains("ended COMPLETED"), proxy.stderr());
        }
    }

    @Test
    void sigtermEndsRelaysStillOpenAfterTheDrainTimeout() throws Exception {
        try (HashingBackend backend = new HashingBackend(SMALL_REQUEST, Duration.ofSeconds(60));
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--drain-timeout", "1s")) {
            try (RawClient client = new RawClient(proxy.port())) {
                client.send("never answered in time").endOutput();
                Await.until(AWAIT, () -> backend.accepted() == 1, "the relay to reach the backend");
                long start = System.nanoTime();
                proxy.terminate();
                assertEquals(143, proxy.awaitExit(Duration.ofSeconds(15)));
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
                assertEquals(0, client.readToEnd().length);
            }
            assertTrue(proxy.stderr().contains("still open after 1000 ms: resetting them"), proxy.stderr());
        }
    }

    /**
     * A download still running when the drain ends must not look complete to its client: the proxy resets it (and
     * the target) rather than letting the event loops' shutdown close it with a FIN.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--mode copy", "--mode splice --splice-engine splice_to",
        "--mode splice --splice-engine io_handle"})
    void sigtermResetsADownloadStillRunningAfterTheDrainTimeout(String mode) throws Exception {
        try (HashingBackend backend = new HashingBackend(new Payload(24, 1L << 30), Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start(args(mode, "--listen", "127.0.0.1:0", "--target",
                     backend.target(), "--drain-timeout", "200ms"));
             Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            client.setSoTimeout(15_000);
            SMALL_REQUEST.writeTo(client.getOutputStream());
            client.shutdownOutput();
            InputStream in = client.getInputStream();
            assertEquals(1 << 20, in.readNBytes(1 << 20).length, "the download runs");
            proxy.terminate();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            byte[] buffer = new byte[8192];
            long read = 1 << 20;
            try {
                for (int n; (n = in.read(buffer)) >= 0; read += n) {
                    assertTrue(System.nanoTime() < deadline, "still downloading after 30 s");
                    // A slow reader: the download cannot finish within the drain.
                    Thread.sleep(1);
                }
                throw new AssertionError("the client read a clean end of stream after " + read + " of "
                        + (32 + (1L << 30)) + " bytes");
            } catch (SocketException reset) {
                assertTrue(String.valueOf(reset.getMessage()).contains("reset"), reset::toString);
            }
            assertEquals(143, proxy.awaitExit(Duration.ofSeconds(15)), "128 + SIGTERM");
            assertTrue(proxy.stderr().contains("still open after 200 ms: resetting them"), proxy.stderr());
            assertTrue(proxy.stderr().contains("ended ERROR"), proxy.stderr());
        }
    }

    @Test
    void refusesClientsBeyondMaxConnectionsAndLogsStatus() throws Exception {
        try (HashingBackend backend = new HashingBackend(new Payload(23, 1000), Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.start("--listen", "127.0.0.1:0", "--target", backend.target(),
                     "--max-connections", "2", "--status-interval", "1s");
             RawClient first = new RawClient(proxy.port());
             RawClient second = new RawClient(proxy.port())) {
            Await.until(AWAIT, () -> backend.accepted() == 2, "both relays to reach the backend");
            try (RawClient third = new RawClient(proxy.port())) {
                assertEquals(0, third.readToEnd().length, "closed at once");
            }
            assertTrue(proxy.awaitStderr("connections are open (--max-connections)", Duration.ofSeconds(5)));
            first.endOutput();
            assertEquals(32 + 1000, first.readToEnd().length);
            Await.until(AWAIT, () -> tryExchange(proxy), "a new client to be admitted once one has left");
            second.endOutput();
            assertEquals(32 + 1000, second.readToEnd().length);
            // Refused: the third client, and maybe some tries of the new one before the first had gone.
            Pattern statusLine = Pattern.compile("status: \\d+ open .*, refused [1-9]\\d* ");
            assertTrue(proxy.awaitStderr(statusLine, Duration.ofSeconds(5)), proxy.stderr());
        }
    }

    @Test
    void survivesRunningOutOfFileDescriptorsWithoutSpinning() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (HashingBackend backend = new HashingBackend(SMALL_REQUEST, Duration.ZERO);
             ProxyProcess proxy = ProxyProcess.startWithFileLimit(64, "--listen", "127.0.0.1:0", "--target",
                     backend.target(), "--threads", "1")) {
            for (int i = 0; i < 80; i++) {
                clients.add(new Socket(InetAddress.getLoopbackAddress(), proxy.port()));
            }
            assertTrue(proxy.awaitStderr("Too many open files", Duration.ofSeconds(10)), proxy.stderr());
            long cpuBefore = cpuTicks(proxy.pid());
            Thread.sleep(2000);
            long cpuTicks = cpuTicks(proxy.pid()) - cpuBefore;
            assertTrue(cpuTicks < 50, "the proxy used " + cpuTicks + " ticks of CPU in 2 s while out of descriptors");
            for (Socket client : clients) {
                client.close();
            }
            Await.until(AWAIT, () -> tryExchange(proxy), "the proxy to serve again once descriptors are free");
            assertTrue(proxy.isAlive());
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    /** {@code args}, then the words of {@code more}. */
    private static String[] args(String more, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more.split(" ")));
        return all.toArray(String[]::new);
    }

    private static HashingBackend.Exchange exchange(ProxyProcess proxy) {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            return HashingBackend.exchange(client, SMALL_REQUEST);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean tryExchange(ProxyProcess proxy) {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            client.setSoTimeout(2000);
            return SMALL_REQUEST.sha256().equals(HashingBackend.exchange(client, SMALL_REQUEST).requestDigest());
        } catch (IOException e) {
            return false;
        }
    }

    /** User plus system CPU time of a process, in clock ticks (usually 100 per second). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
