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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * {@code splice-proxy}: a TCP and Unix domain socket proxy on splice-relay, with three fronts (plain forwarding, HTTP {@code CONNECT},
 * SOCKS5) and a self-contained {@code demo}. Run it without arguments, or with {@code --help}, for its usage.
 *
 * <pre>
 * java -jar splice-proxy.jar --listen 8000 --target 127.0.0.1:9000
 * java -jar splice-proxy.jar --listen 8000 --target unix:/run/app.sock
 * java -jar splice-proxy.jar --listen 8080 --front connect --allow example.com:443
 * java -jar splice-proxy.jar demo
 * </pre>
 *
 * <p>It prints one start-up line to standard output and logs to standard error through slf4j-simple (INFO by
 * default; {@code -Dorg.slf4j.simpleLogger.log.dev.splicerelay=debug} adds a line per relay). On SIGTERM it stops
 * accepting and gives open relays {@code --drain-timeout} to finish. After handing its sockets to a successor
 * ({@code --handover}) it drains likewise and exits with status 0. Exit status 2 means a bad command line, 1 a
 * failure to start.
 */
public final class SpliceProxy {
    private static final Logger logger = LoggerFactory.getLogger(SpliceProxy.class);
    private static final String IO_URING_MULTISHOT_POLL = "io.netty.iouring.pollAddMultishotEnabled";

    private SpliceProxy() {
    }

    public static void main(String[] args) {
        // Before any io_uring class reads it: with Netty 4.2.12's multishot POLLIN poll, a reset that arrives while a
        // relay has paused reading is never reported and the relay hangs (docs/DESIGN.md, "io_uring on Netty 4.2.12").
        // A -D value wins.
        if (System.getProperty(IO_URING_MULTISHOT_POLL) == null) {
            System.setProperty(IO_URING_MULTISHOT_POLL, "false");
        }
        List<String> arguments = List.of(args);
        if (!arguments.isEmpty() && arguments.get(0).equals("demo")) {
            System.exit(Demo.run(arguments.subList(1, arguments.size())));
        }
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println(ProxyOptions.USAGE);
            return;
        }
        if (arguments.isEmpty()) {
            System.err.println(ProxyOptions.USAGE);
            System.exit(2);
            return;
        }
        ProxyOptions options;
        try {
            options = ProxyOptions.parse(arguments);
        } catch (UsageException e) {
            System.err.println("splice-proxy: " + e.getMessage());
            System.err.println("Run with --help for the usage.");
            System.exit(2);
            return;
        }
        ProxyServer server;
        try {
            server = ProxyServer.start(options);
        } catch (HandoverClient.HandoverException e) {
            System.err.println("splice-proxy: handover failed: " + e.getMessage());
            System.exit(1);
            return;
        } catch (Exception e) {
            System.err.println("splice-proxy: cannot listen on " + ProxyAddress.toString(options.listen()) + ": "
                    + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(
                new Thread(() -> server.stop(options.drainTimeout()), "splice-proxy-shutdown"));
        // Handed over to a successor (--handover) and drained: this process's work is done.
        server.retired().thenRun(() -> System.exit(0));
        if (options.front() != Front.FORWARD && options.allow().isEmpty()) {
            logger.warn("no --allow given: the {} front will refuse every target", options.front().cliName());
        }
        System.out.println(startupLine(options, server));
    }

    private static String startupLine(ProxyOptions options, ProxyServer server) {
        String front = switch (options.front()) {
            case FORWARD -> "forward to " + targetList(options);
            case CONNECT, SOCKS5 -> options.front().cliName() + ", allowing " + options.allow();
        };
        InetSocketAddress metrics = server.metricsAddress();
        return String.format(Locale.ROOT,
                "splice-proxy listening on %s, transport %s (%d event loops, %d listening sockets), mode %s, front %s"
                        + "%s%s, %s",
                ProxyAddress.toString(server.localAddress()), options.transport().cliName(), options.threads(),
                server.listeningSockets(), options.mode().name().toLowerCase(Locale.ROOT), front,
                proxyProtocol(options),
                metrics == null ? "" : ", metrics on http://" + ProxyAddress.toString(metrics) + "/metrics",
                server.channelsReason() == null ? "no channel per client"
                        : "a channel per client (" + server.channelsReason() + ")");
    }

    /** One target as before; several with the balance and, if on, the health checks. */
    private static String targetList(ProxyOptions options) {
        if (options.targets().size() == 1) {
            return options.targets().get(0).toString();
        }
        HealthPolicy health = options.health();
        return options.targets() + " (" + options.balance().cliName() + (health.activeChecks()
                ? ", checked every " + health.checkInterval().toMillis() + " ms" : "") + ")";
    }

    private static String proxyProtocol(ProxyOptions options) {
        return (options.acceptProxy() ? ", accepting PROXY headers" : "")
                + (options.sendProxy() == null ? ""
                : ", sending PROXY " + options.sendProxy().name().toLowerCase(Locale.ROOT) + " headers");
    }
}
