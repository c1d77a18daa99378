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

import dev.splicerelay.RelayConfig;
import dev.splicerelay.RelayMode;
import dev.splicerelay.SpliceEngine;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The proxy's command line, parsed and checked as a whole: every option that cannot work, alone or with the others,
 * is a {@link UsageException} before anything binds. Immutable.
 *
 * <p>{@code listen} is an {@link InetSocketAddress} (resolved) or, for {@code --listen unix:PATH}, a
 * {@link DomainSocketAddress}; {@code targets} are {@link HostPort}s and {@link UnixPath}s, distinct, and empty for
 * the connect and socks5 fronts. Unix domain sockets need the epoll transport. {@code sendProxy} is {@code null}
 * without {@code --send-proxy}.
 */
record ProxyOptions(SocketAddress listen, Front front, List<ProxyAddress> targets, TargetAllowList allow,
                    RelayMode mode, SpliceEngine spliceEngine, Transport transport, int threads, int maxConnections,
                    Duration idleTimeout, Duration connectTimeout, Duration handshakeTimeout, Duration statusInterval,
                    Duration drainTimeout, Balance balance, HealthPolicy health, HAProxyProtocolVersion sendProxy,
                    boolean acceptProxy, OperationsOptions operations, boolean channelPerClient) {

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar splice-proxy.jar --listen [HOST:]PORT|unix:PATH [options]",
            "       java -jar splice-proxy.jar demo [--size 1g] [--transport auto|epoll|io_uring|nio]",
            "",
            "Where clients connect and where they go:",
            "  --listen [HOST:]PORT|unix:PATH  where clients connect (a port alone means 127.0.0.1)",
            "  --front forward|connect|socks5  forward: relay every connection to --target (default);",
            "                                  connect: HTTP/1.1 CONNECT proxy; socks5: SOCKS5 proxy (no auth)",
            "  --target HOST:PORT|unix:PATH[,...]",
            "                                  where the forward front relays to: one target, or several",
            "  --allow HOST:PORT,...           targets the connect and socks5 fronts may open (without it: none)",
            "",
            "Load balancing and health:",
            "  --balance roundrobin|leastconn|first",
            "                                  how the forward front picks among the targets that are up (default",
            "                                  roundrobin; leastconn: fewest open relays; first: the first in order)",
            "  --fail-timeout DURATION         without active checks, how long a target whose connect failed stays",
            "                                  down (default 10s); meanwhile clients go to the other targets",
            "  --check-interval DURATION       connect to every target this often as a health check (default 0: off)",
            "  --check-fall N                  failed checks in a row that mark a target down (default 3)",
            "  --check-rise N                  passed checks in a row that mark it up again (default 2)",
            "",
            "PROXY protocol (any front):",
            "  --send-proxy v1|v2              send each target a PROXY protocol header with the client's address",
            "  --accept-proxy                  expect a PROXY protocol header (v1 or v2) from every client, as",
            "                                  behind another load balancer; a bad or missing one closes the client",
            "",
            "How bytes move:",
            "  --mode auto|splice|copy         how bytes move (default auto: splice where possible)",
            "  --splice-engine auto|io_handle|splice_to",
            "                                  which engine splices (default auto: splice-relay's own, io_handle,",
            "                                  where it can run; Netty's spliceTo otherwise)",
            "  --transport auto|epoll|io_uring|nio",
            "                                  Netty transport (default auto: epoll where available, else nio;",
            "                                  io_uring copies, and only runs when asked for)",
            "  --threads N                     event-loop threads; on epoll with TCP also listening sockets",
            "                                  (SO_REUSEPORT); default: the number of cores",
            "  --channel-per-client            give every client a Netty channel, also where the forward front",
            "                                  can relay its sockets without one (see below)",
            "",
            "Limits and timeouts:",
            "  --max-connections N             close new clients beyond N open ones (default 0: no limit)",
            "  --idle-timeout DURATION         end a relay idle this long in both directions (default 60s, 0: never)",
            "  --connect-timeout DURATION      time limit for connecting a client to a target, all tries together",
            "                                  (default 5s); also each health check's limit",
            "  --handshake-timeout DURATION    time limit for a PROXY header, and for a CONNECT or SOCKS5 request",
            "                                  (default 10s)",
            "  --drain-timeout DURATION        on SIGTERM or after a handover, how long open relays may go on",
            "                                  (default 10s)",
            "",
            "Operations:",
            "  --status-interval DURATION      how often to log a status line (default 10s, 0: never)",
            OperationsOptions.USAGE,
            "  --help                          print this and exit",
            "",
            "Durations: 500ms, 10s, 2m, 1h; a bare number means seconds.",
            "",
            "A target whose connect fails is down: the client is connected to the next target that is up, each",
            "  tried once within --connect-timeout. With every target down the forward front closes the client, the",
            "  connect front answers 503 and socks5 0x01. The connect and socks5 fronts check their --allow targets.",
            "  --fail-timeout is for this passive health alone; --check-fall and --check-rise need --check-interval.",
            "",
            "unix:PATH is a Unix domain socket (epoll transport only; the connect and socks5 fronts may listen on",
            "  one, but their targets are TCP). On --listen unix:PATH the proxy creates the socket file and deletes",
            "  it when it stops. If PATH exists it only replaces a stale socket, one nothing accepts on (left by a",
            "  proxy that was killed); any other file, or a socket in use, is an error and is left as it is.",
            "",
            "The forward front relays its clients' sockets without a Netty channel each, for less CPU per",
            "  connection, unless one is needed: the PROXY protocol, a Unix socket, a target given by name,",
            "  --handover, a transport other than epoll, --splice-engine splice_to or --channel-per-client. The",
            "  startup line says which it does.",
            "",
            "The metric names, the access log's format and how a reload works: examples/README.md.");

    private static final Set<String> OPTIONS = Set.of("--listen", "--front", "--target", "--allow", "--mode",
            "--splice-engine",
            "--transport", "--threads", "--max-connections", "--idle-timeout", "--connect-timeout",
            "--handshake-timeout", "--status-interval", "--drain-timeout", "--balance", "--fail-timeout",
            "--check-interval", "--check-fall", "--check-rise", "--send-proxy", "--metrics-listen", "--handover");
    /** Options that take no value: given means on. */
    private static final Set<String> FLAGS = Set.of("--accept-proxy", "--access-log", "--reuse-port",
            "--channel-per-client");

    /**
     * Parses {@code --name value} and {@code --name=value} arguments.
     *
     * @throws UsageException for an unknown or repeated option, a bad value or options that do not fit together
     */
    static ProxyOptions parse(List<String> args) throws UsageException {
        Map<String, String> values = values(args);
        Front front = choice("--front", values.getOrDefault("--front", "forward"), Front.values());
        Transport transport = transport(values.getOrDefault("--transport", "auto"));
        RelayMode mode = choice("--mode", values.getOrDefault("--mode", "auto"), RelayMode.values());
        if (mode == RelayMode.SPLICE && transport != Transport.EPOLL) {
            throw new UsageException("--mode splice needs the epoll transport, not " + transport.cliName());
        }
        SpliceEngine spliceEngine = choice("--splice-engine", values.getOrDefault("--splice-engine", "auto"),
                SpliceEngine.values());
        if (spliceEngine != SpliceEngine.AUTO && (mode == RelayMode.COPY || transport != Transport.EPOLL)) {
            throw new UsageException("--splice-engine " + values.get("--splice-engine")
                    + " chooses how relays splice: it needs --mode auto or splice and the epoll transport");
        }
        if (!values.containsKey("--listen")) {
            throw new UsageException("--listen is required");
        }
        Duration connectTimeout = duration(values, "--connect-timeout", "5s");
        Duration handshakeTimeout = duration(values, "--handshake-timeout", "10s");
        if (connectTimeout.isZero() || connectTimeout.toMillis() > Integer.MAX_VALUE || handshakeTimeout.isZero()) {
            throw new UsageException("--connect-timeout and --handshake-timeout must be above 0 (and under 24 days)");
        }
        SocketAddress listen = listenAddress(values.get("--listen"));
        List<ProxyAddress> targets = targets(front, values.get("--target"));
        if (listen instanceof DomainSocketAddress && !transport.supportsUnixSockets()) {
            throw unixNeedsEpoll("--listen", transport);
        }
        if (targets.stream().anyMatch(UnixPath.class::isInstance) && !transport.supportsUnixSockets()) {
            throw unixNeedsEpoll("--target", transport);
        }
        if (front != Front.FORWARD && values.containsKey("--balance")) {
            throw new UsageException("--balance is for the forward front's --target list; the " + front.cliName()
                    + " front's clients name their targets");
        }
        HealthPolicy health = health(values);
        OperationsOptions operations = OperationsOptions.parse(values, listen, transport);
        return new ProxyOptions(
                listen,
                front,
                targets,
                allowList(front, values.get("--allow")),
                mode,
                spliceEngine,
                transport,
                count(values, "--threads", Runtime.getRuntime().availableProcessors(), 1),
                count(values, "--max-connections", 0, 0),
                duration(values, "--idle-timeout", "60s"),
                connectTimeout,
                handshakeTimeout,
                duration(values, "--status-interval", "10s"),
                duration(values, "--drain-timeout", "10s"),
                choice("--balance", values.getOrDefault("--balance", "roundrobin"), Balance.values()),
                health,
                sendProxy(values.get("--send-proxy")),
                values.containsKey("--accept-proxy"),
                operations,
                values.containsKey("--channel-per-client"));
    }

    /** The relay options every connection uses. */
    RelayConfig relayConfig() {
        return RelayConfig.builder().mode(mode).spliceEngine(spliceEngine).idleTimeout(idleTimeout).build();
    }

    private static Map<String, String> values(List<String> args) throws UsageException {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            if (!OPTIONS.contains(name) && !FLAGS.contains(name)) {
                throw new UsageException(
                        arg.startsWith("--") ? "unknown option: " + name : "unexpected argument: " + arg);
            }
            String value;
            if (FLAGS.contains(name)) {
                if (equals >= 0) {
                    throw new UsageException(name + " takes no value");
                }
                value = "";
            } else if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException(name + " needs a value");
            }
            if (values.put(name, value) != null) {
                throw new UsageException(name + " is given more than once");
            }
        }
        return values;
    }

    private static SocketAddress listenAddress(String text) throws UsageException {
        return localAddress("--listen", text);
    }

    /**
     * A local address to listen on, as {@code --listen} and {@code --metrics-listen} take it: {@code [HOST:]PORT}
     * (a port alone means 127.0.0.1) or {@code unix:PATH}.
     */
    static SocketAddress localAddress(String option, String text) throws UsageException {
        try {
            ProxyAddress listen = text.chars().allMatch(Character::isDigit)
                    ? new HostPort(NetUtil.LOCALHOST4.getHostAddress(), HostPort.parsePort(text))
                    : ProxyAddress.parse(text);
            if (listen instanceof HostPort hostPort) {
                return new InetSocketAddress(InetAddress.getByName(hostPort.host()), hostPort.port());
            }
            return listen.toSocketAddress();
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }

    private static UsageException unixNeedsEpoll(String option, Transport transport) {
        String epollUnavailable = Transport.EPOLL.unavailableReason();
        return new UsageException(option + " unix:PATH needs the epoll transport, not " + transport.cliName()
                + (epollUnavailable == null ? "" : " (epoll is not available here: " + epollUnavailable + ")"));
    }

    private static List<ProxyAddress> targets(Front front, String text) throws UsageException {
        if (front != Front.FORWARD) {
            if (text != null) {
                throw new UsageException("--target is for --front forward; the " + front.cliName()
                        + " front takes its targets from clients, limited by --allow");
            }
            return List.of();
        }
        if (text == null) {
            throw new UsageException("--front forward needs --target HOST:PORT or --target unix:PATH");
        }
        List<ProxyAddress> targets = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            try {
                ProxyAddress target = ProxyAddress.parse(entry.trim());
                if (target instanceof HostPort hostPort && hostPort.port() == 0) {
                    throw new IllegalArgumentException("port 0 cannot be a target");
                }
                if (targets.contains(target)) {
                    throw new IllegalArgumentException(target + " is listed twice");
                }
                targets.add(target);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--target: " + e.getMessage());
            }
        }
        return List.copyOf(targets);
    }

    /**
     * The health options, which fit together only one way or the other: passive health alone
     * ({@code --fail-timeout}), or active checks ({@code --check-interval}, {@code --check-fall},
     * {@code --check-rise}), whose passed checks, not a timeout, bring a target back.
     */
    private static HealthPolicy health(Map<String, String> values) throws UsageException {
        Duration checkInterval = duration(values, "--check-interval", "0");
        if (checkInterval.toMillis() > Integer.MAX_VALUE) {
            throw new UsageException("--check-interval must be under 24 days");
        }
        HealthPolicy health = new HealthPolicy(checkInterval,
                count(values, "--check-fall", HealthPolicy.DEFAULTS.checkFall(), 1),
                count(values, "--check-rise", HealthPolicy.DEFAULTS.checkRise(), 1),
                duration(values, "--fail-timeout", HealthPolicy.DEFAULTS.failTimeout().toSeconds() + "s"));
        if (!health.activeChecks() && (values.containsKey("--check-fall") || values.containsKey("--check-rise"))) {
            throw new UsageException("--check-fall and --check-rise count active health checks: they need "
                    + "--check-interval");
        }
        if (health.activeChecks() && values.containsKey("--fail-timeout")) {
            throw new UsageException("--fail-timeout is for passive health alone: with --check-interval a target "
                    + "that went down comes back up by its checks (--check-rise)");
        }
        return health;
    }

    private static HAProxyProtocolVersion sendProxy(String text) throws UsageException {
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "v1" -> HAProxyProtocolVersion.V1;
            case "v2" -> HAProxyProtocolVersion.V2;
            default -> throw new UsageException("--send-proxy expects v1 or v2, got '" + text + "'");
        };
    }

    private static TargetAllowList allowList(Front front, String text) throws UsageException {
        if (text == null) {
            return TargetAllowList.NONE;
        }
        if (front == Front.FORWARD) {
            throw new UsageException("--allow is for the connect and socks5 fronts; forward only relays to --target");
        }
        try {
            return TargetAllowList.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--allow: " + e.getMessage());
        }
    }

    private static Transport transport(String text) throws UsageException {
        if (text.equals("auto")) {
            return Transport.best();
        }
        for (Transport transport : Transport.values()) {
            if (transport.cliName().equals(text)) {
                String unavailable = transport.unavailableReason();
                if (unavailable != null) {
                    throw new UsageException("--transport " + text + " is not available here: " + unavailable);
                }
                return transport;
            }
        }
        throw new UsageException("--transport expects one of auto, epoll, io_uring, nio, got '" + text + "'");
    }

    private static Duration duration(Map<String, String> values, String option, String defaultValue)
            throws UsageException {
        return OptionValues.duration(option, values.getOrDefault(option, defaultValue));
    }

    private static int count(Map<String, String> values, String option, int defaultValue, int min)
            throws UsageException {
        String value = values.get(option);
        return value == null ? defaultValue : OptionValues.count(option, value, min);
    }

    private static <E extends Enum<E>> E choice(String option, String text, E[] choices) throws UsageException {
        for (E choice : choices) {
            if (choice.name().toLowerCase(Locale.ROOT).equals(text)) {
                return choice;
            }
        }
        StringBuilder names = new StringBuilder();
        for (E choice : choices) {
            names.append(names.length() == 0 ? "" : ", ").append(choice.name().toLowerCase(Locale.ROOT));
        }
        throw new UsageException(option + " expects one of " + names + ", got '" + text + "'");
    }
}
