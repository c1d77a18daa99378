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

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * {@code splice-proxy demo}: pushes {@code --size} bytes (1 GiB by default) from a client through an in-process
 * {@code forward} proxy to a {@link DemoSink}, once with the relay splicing (on epoll) and once copying, and prints
 * throughput, the proxy's CPU time and whether the SHA-256 of what arrived equals that of what was sent. Each mode
 * first moves {@value #WARM_UP_BYTES} bytes that are not measured, so that the JIT has compiled the hot paths.
 *
 * <p>The proxy runs on one event loop, and its CPU time is that thread's user and system time from
 * {@link ThreadMXBean}: the relay's work, splice system calls included, and nothing of the client's or the sink's.
 * Loopback TCP work that the kernel does in softirq context can be billed to whichever thread is running, so the
 * figure is close, not exact. The client and the sink hash every byte, on the same cores, so the throughput is
 * that of the whole pipeline rather than the proxy's ceiling.
 */
final class Demo {
    static final String USAGE =
            "usage: java -jar splice-proxy.jar demo [--size 1g] [--transport auto|epoll|io_uring|nio]";
    private static final long WARM_UP_BYTES = 64L << 20;

    private record Run(String mode, String relayed, DemoTransfer.Result result, LoopCpu cpu) {
    }

    /** CPU time of the proxy's event-loop threads: user, and user plus system. */
    private record LoopCpu(long userNanos, long totalNanos) {
        static LoopCpu now() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long user = 0;
            long total = 0;
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && info.getThreadName().startsWith(ProxyServer.LOOP_THREAD_PREFIX)) {
                    user += Math.max(0, threads.getThreadUserTime(info.getThreadId()));
                    total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
                }
            }
            return new LoopCpu(user, total);
        }

        LoopCpu since(LoopCpu earlier) {
            return new LoopCpu(userNanos - earlier.userNanos, totalNanos - earlier.totalNanos);
        }
    }

    private Demo() {
    }

    /** Runs the demo; returns the process exit status: 0 if every byte arrived intact, 1 if not, 2 for bad args. */
    static int run(List<String> args) {
        long size = 1L << 30;
        String transport = "auto";
        try {
            for (int i = 0; i < args.size(); i += 2) {
                String value = i + 1 < args.size() ? args.get(i + 1) : "";
                switch (args.get(i)) {
                    case "--size" -> size = OptionValues.size("--size", value);
                    case "--transport" -> transport = value;
                    default -> throw new UsageException("unknown demo option: " + args.get(i));
                }
            }
            return run(size, transport);
        } catch (UsageException e) {
            System.err.println("splice-proxy: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        } catch (Exception e) {
            System.err.println("splice-proxy demo failed: " + e);
            return 1;
        }
    }

    private static int run(long size, String transport) throws Exception {
        List<Run> runs = new ArrayList<>();
        try (DemoSink sink = new DemoSink()) {
            ProxyOptions probe = options(sink, "copy", transport);
            List<String> modes = probe.transport() == Transport.EPOLL ? List.of("splice", "copy") : List.of("copy");
            System.err.printf(Locale.ROOT, "Sending %,d MiB through splice-proxy (%s) to a local sink, per mode:%n",
                    size >> 20, probe.transport().cliName());
            for (String mode : modes) {
                runs.add(runOnce(options(sink, mode, transport), size));
            }
        }
        printTable(System.out, runs, size);
        return runs.stream().allMatch(run -> run.result().intact()) ? 0 : 1;
    }

    private static ProxyOptions options(DemoSink sink, String mode, String transport) throws UsageException {
        return ProxyOptions.parse(List.of("--listen", "127.0.0.1:0", "--target", sink.address().toString(),
                "--mode", mode, "--transport", transport, "--threads", "1", "--status-interval", "0"));
    }

    private static Run runOnce(ProxyOptions options, long size) throws Exception {
        ProxyServer proxy = ProxyServer.start(options);
        DemoTransfer.Result result;
        LoopCpu cpu;
        try {
            InetSocketAddress address = (InetSocketAddress) proxy.localAddress();
            // Compiles the hot paths of all three parties first, so that neither mode pays for the JIT.
            long warmUp = Math.min(size, WARM_UP_BYTES);
            DemoTransfer.run(address, warmUp,
                    new ProgressBar("", warmUp, new PrintStream(OutputStream.nullOutputStream())));
            LoopCpu before = LoopCpu.now();
            result = DemoTransfer.run(address, size,
                    new ProgressBar(options.mode().name().toLowerCase(Locale.ROOT), size, System.err));
            cpu = LoopCpu.now().since(before);
        } finally {
            proxy.stop(Duration.ofSeconds(5));
        }
        ProxyStatus status = proxy.status();
        String relayed = status.splicedRelays() > 0 ? "splice" : status.copiedRelays() > 0 ? "copy" : "?";
        return new Run(options.mode().name().toLowerCase(Locale.ROOT), relayed, result, cpu);
    }

    private static void printTable(PrintStream out, List<Run> runs, long size) {
        out.println();
        out.printf(Locale.ROOT, "%-7s %-8s %7s %12s %24s %12s  %s%n", "mode", "relayed", "time", "throughput",
                "proxy CPU (user + sys)", "CPU per GiB", "SHA-256 sent vs received");
        for (Run run : runs) {
            DemoTransfer.Result result = run.result();
            double cpu = run.cpu().totalNanos() / 1e9;
            double user = run.cpu().userNanos() / 1e9;
            String cpuText = String.format(Locale.ROOT, "%.2f s (%.2f + %.2f)", cpu, user, cpu - user);
            String digest = HexFormat.of().formatHex(result.receivedDigest(), 0, 8) + "...";
            out.printf(Locale.ROOT, "%-7s %-8s %5.2f s %7.0f MB/s %24s %10.2f s  %s %s%n", run.mode(), run.relayed(),
                    result.nanos() / 1e9, result.megabytesPerSecond(), cpuText, cpu / (size / (double) (1L << 30)),
                    result.intact() ? "ok" : "MISMATCH", digest);
        }
        out.println();
        out.println("proxy CPU: user and system time of the proxy's one event-loop thread (ThreadMXBean). On loopback");
        out.println("  the kernel runs much of the receiving side's TCP work on the sending thread, in both modes, so");
        out.println("  this includes work a real network card would take elsewhere; what splice saves is the copies");
        out.println("  into and out of the JVM. The client and the sink hash every byte with SHA-256 on the same");
        out.println("  cores, so the throughput is that of the whole pipeline here, not the proxy's ceiling.");
    }
}
