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

import dev.splicerelay.RelayStats;
import dev.splicerelay.SpliceRelayHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running proxy: its event loops, its listening sockets and its clients, from {@link #start} to {@link #stop}.
 *
 * <p>On epoll with more than one thread there is one listening socket per event loop, all bound to the same port
 * with {@code SO_REUSEPORT}: the kernel spreads new connections over them, and a client, its target connection and
 * its relay all stay on the loop that accepted it, so the loops share nothing. Elsewhere one listening socket hands
 * its clients to the loops in turn. Any process of the same user could join a port bound with {@code SO_REUSEPORT},
 * so before binding the proxy checks that nothing listens on the port yet ({@link PortCheck}), unless
 * {@code --reuse-port} asks for sharing (then it sets {@code SO_REUSEPORT} with one thread too).
 *
 * <p>A Unix domain socket ({@code --listen unix:PATH}, epoll only) always has one listening socket. Binding it
 * creates the socket file, after {@link UnixSocketFile} has made way for it; closing it, in {@link #stop}, deletes
 * the file.
 *
 * <p>With {@code --handover PATH} the listening sockets may instead come from a running proxy
 * ({@link HandoverClient}): the proxy adopts them, spread over its event loops (with more loops than sockets on a
 * port shared with {@code SO_REUSEPORT}, it binds more to join them), and only then tells the old proxy to stop
 * accepting. Either way it then serves PATH ({@link HandoverServer}); when a successor takes its sockets, it stops
 * accepting on them (it deregisters listening channels without closing them, and the forward front without channels
 * takes its sockets out of epoll and closes its copies: the successor holds the same sockets, so no accept queue is
 * lost), lets its relays finish and completes {@link #retired()}.
 *
 * <p>The metrics server and the handover socket run on a control event loop of one thread that no relay uses.
 *
 * <p>Threading: {@link #start} and {@link #stop} are called once each, from one thread; {@link #stop} may also come
 * after a handover, and then does nothing. The {@link HandoverServer.Handoff} methods run on the control loop.
 */
final class ProxyServer implements HandoverServer.Handoff {
    /** The event loops' thread names start with this, which the demo uses to measure their CPU time. */
    static final String LOOP_THREAD_PREFIX = "splice-proxy-loop";
    static final String CONTROL_THREAD_PREFIX = "splice-proxy-control";

    private static final Logger logger = LoggerFactory.getLogger(ProxyServer.class);
    /** How long {@link #stop} waits for aborted relays to end before it shuts the loops down. */
    private static final Duration ABORT_WAIT = Duration.ofSeconds(2);
    /** The loops' quiet period at shutdown; see {@link #stop}. */
    private static final Duration QUIET_PERIOD = Duration.ofMillis(100);
    /** How often a drain of the forward front without channels looks whether its clients are all gone. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);

    private final ProxyOptions options;
    private final EventLoopGroup group;
    private final Transport controlTransport;
    private final EventLoopGroup control;
    private final OffLoopResolverGroup resolver;
    private final ProxyStatus status;
    private final TargetGroup targets;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private final ProxyEvents events;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    /** The forward front without channels, or {@code null} if the proxy's clients have a channel each. */
    private ForwardServer forward;
    private String channelsReason;
    private final List<Path> adoptedSocketFiles = new ArrayList<>();
    private final CompletableFuture<Void> retired = new CompletableFuture<>();
    private Channel metricsServer;
    private Channel handoverServer;
    private boolean stopped;
    private volatile boolean retiring;

    private ProxyServer(ProxyOptions options) {
        this.options = options;
        this.group = new MultiThreadIoEventLoopGroup(options.threads(),
                new DefaultThreadFactory(LOOP_THREAD_PREFIX), options.transport().ioHandlerFactory());
        OperationsOptions operations = options.operations();
        boolean controlled = operations.metricsListen() != null || operations.handover() != null;
        this.controlTransport = operations.handover() != null ? Transport.EPOLL : Transport.best();
        this.control = controlled ? new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory(CONTROL_THREAD_PREFIX), controlTransport.ioHandlerFactory()) : null;
        this.resolver = new OffLoopResolverGroup();
        this.status = new ProxyStatus(options.maxConnections());
        this.targets = new TargetGroup(options.front() == Front.FORWARD ? options.targets() : options.allow().targets(),
                options.balance(), options.health());
        this.metrics = operations.metricsListen() == null ? null : new ProxyMetrics(status);
        this.accessLog = !operations.accessLog() ? null
                : new AccessLog(metrics == null ? () -> { } : metrics::accessLogLineDropped);
        List<ProxyEvents> all = new ArrayList<>(List.of(status));
        if (metrics != null) {
            all.add(metrics);
        }
        if (accessLog != null) {
            all.add(accessLog);
        }
        this.events = ProxyEvents.all(all);
        if (metrics != null) {
            metrics.registerTargets(targets.targets());
        }
        // The one path by which target events reach the metrics: failed connects of every front, health changes.
        targets.addListener(events);
    }

    /**
     * Binds the listening sockets, or takes them over from the proxy serving {@code --handover}, and starts serving.
     *
     * @throws Exception if a socket cannot be bound (the address is in use or not local, or a Unix socket's path is
     *                   taken, for example), or a handover fails ({@link HandoverClient.HandoverException}); nothing
     *                   is left running then, and a predecessor keeps serving
     */
    static ProxyServer start(ProxyOptions options) throws Exception {
        ProxyServer server = new ProxyServer(options);
        try {
            server.open();
        } catch (Exception e) {
            server.stop(Duration.ZERO);
            throw e;
        }
        if (options.health().activeChecks()) {
            HealthChecks.start(server.targets, server.group, options.transport(),
                    (int) options.connectTimeout().toMillis(), server.resolver);
        }
        if (!options.statusInterval().isZero()) {
            long millis = options.statusInterval().toMillis();
            server.group.next().scheduleAtFixedRate(server.status::logStatus, millis, millis, TimeUnit.MILLISECONDS);
        }
        return server;
    }

    /**
     * Where the proxy listens: an {@link InetSocketAddress} with the real port, also when {@code --listen} asked for
     * port 0, or a {@link DomainSocketAddress}.
     */
    SocketAddress localAddress() {
        if (forward != null) {
            return forward.localAddress();
        }
        SocketAddress local = listeners.get(0).localAddress();
        // An adopted Unix socket's channel does not know its path.
        return local == null ? options.listen() : local;
    }

    /** Where {@code --metrics-listen} serves, with the real port; {@code null} without metrics. */
    InetSocketAddress metricsAddress() {
        return metricsServer == null ? null : (InetSocketAddress) metricsServer.localAddress();
    }

    int listeningSockets() {
        return forward != null ? forward.listeningSockets().size() : listeners.size();
    }

    /**
     * Why each client has a Netty channel (and a pipeline) in this proxy, or {@code null} if the forward front relays
     * its sockets without channels ({@link ForwardServer}).
     */
    String channelsReason() {
        return channelsReason;
    }

    ProxyStatus status() {
        return status;
    }

    /** Completes once a successor has taken the listening sockets and this proxy has drained and stopped. */
    CompletableFuture<Void> retired() {
        return retired;
    }

    /**
     * The targets and their health: the forward front's {@code --target}s, or the {@code --allow}ed targets of the
     * connect and socks5 fronts.
     */
    TargetGroup targets() {
        return targets;
    }

    /**
     * Stops accepting, lets open connections go on for up to {@code drain}, then ends what is left and shuts the
     * event loops down; returns when they have terminated. After a handover, which stops by itself, it waits for
     * that (so that a SIGTERM meanwhile does not cut the draining relays short).
     *
     * <p>Relays still running after the drain are aborted ({@link SpliceRelayHandler#abort()}): both their sides are
     * reset, so that a client in the middle of a transfer cannot take it for a complete one, as it would a FIN from
     * the loops' graceful close. The loops then shut down with a quiet period above 0, which lets Netty close what is
     * left (connections still in their handshake) and the relays' handles; with 0 it may skip them.
     */
    void stop(Duration drain) {
        boolean stoppedBefore;
        synchronized (this) {
            stoppedBefore = stopped;
            stopped = true;
        }
        if (stoppedBefore) {
            if (retiring) {
                awaitRetired();
            }
            return;
        }
        closeListeners();
        drain(drain);
        shutDown();
    }

    @Override
    public HandoverOffer offer() {
        List<HandoverOffer.Role> roles = new ArrayList<>();
        for (int i = 0; i < listeningSockets(); i++) {
            roles.add(HandoverOffer.Role.LISTENER);
        }
        roles.add(HandoverOffer.Role.HANDOVER);
        if (metricsServer != null) {
            roles.add(HandoverOffer.Role.METRICS);
        }
        // The bound address: a successor names the port that --listen 0 picked.
        return new HandoverOffer(ProcessHandle.current().pid(), HandoverClient.listenKey(localAddress()), roles);
    }

    @Override
    public List<FileDescriptor> sockets() {
        List<FileDescriptor> sockets = listeningFds();
        sockets.add(((UnixChannel) handoverServer).fd());
        if (metricsServer != null) {
            sockets.add(((UnixChannel) metricsServer).fd());
        }
        return sockets;
    }

    /** The listening sockets (epoll, as {@code --handover} needs): the forward front's, or the listening channels'. */
    private List<FileDescriptor> listeningFds() {
        List<FileDescriptor> fds = new ArrayList<>();
        if (forward != null) {
            for (int fd : forward.listeningSockets()) {
                fds.add(new FileDescriptor(fd));
            }
        }
        for (Channel listener : listeners) {
            fds.add(((UnixChannel) listener).fd());
        }
        return fds;
    }

    @Override
    public Future<?> stopAccepting(long successorPid) {
        if (forward != null) {
            // Out of epoll first, then closed: the successor holds the same sockets, so no accept queue is lost.
            forward.stopAccepting();
        }
        EventExecutor executor = handoverServer.eventLoop();
        PromiseCombiner combiner = new PromiseCombiner(executor);
        for (Channel listener : listeners) {
            combiner.add(listener.deregister());
        }
        if (metricsServer != null) {
            combiner.add(metricsServer.deregister());
        }
        combiner.add(handoverServer.deregister());
        Promise<Void> done = executor.newPromise();
        combiner.finish(done);
        return done;
    }

    @Override
    public void retire() {
        Thread thread = new Thread(() -> {
            synchronized (this) {
                if (stopped) {
                    return;
                }
                stopped = true;
                retiring = true;
            }
            drain(options.drainTimeout());
            shutDown();
            retired.complete(null);
        }, "splice-proxy-retire");
        thread.start();
    }

    private void awaitRetired() {
        try {
            retired.get(options.drainTimeout().toSeconds() + 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            logger.warn("stopping while the handed-over proxy still drains: {}", e.toString());
        }
    }

    private void open() throws Exception {
        OperationsOptions operations = options.operations();
        FrontInitializer initializer = new FrontInitializer(options, targets,
                new TargetConnector(options.relayConfig(), (int) options.connectTimeout().toMillis(), resolver, events,
                        options.sendProxy()),
                status, events, clients);
        Path handover = operations.handover();
        HandoverClient predecessor = handover == null ? null : HandoverClient.connect(handover, control);
        channelsReason = ForwardServer.obstacle(options, group);
        if (predecessor == null) {
            if (channelsReason == null) {
                checkPortFree();
                forward = ForwardServer.bind(options, targets, status, events, group, resolver);
            } else {
                bind(initializer);
            }
            if (metrics != null) {
                metricsServer = MetricsServer.bind(control, controlTransport, operations.metricsListen(), metrics)
                        .sync().channel();
            }
            if (handover != null) {
                handoverServer = HandoverServer.bind(control, handover, this);
            }
            return;
        }
        try {
            HandoverClient.Sockets sockets = predecessor.receive(options.listen(), operations.metricsListen());
            if (channelsReason == null) {
                forward = ForwardServer.adopt(options, targets, status, events, group, resolver, sockets.listeners());
            } else {
                adopt(sockets.listeners(), initializer);
            }
            if (metrics != null) {
                metricsServer = (sockets.metrics() >= 0
                        ? MetricsServer.adopt(control, sockets.metrics(), metrics)
                        : MetricsServer.bind(control, controlTransport, operations.metricsListen(), metrics))
                        .sync().channel();
            }
            handoverServer = HandoverServer.adopt(control, sockets.handover(), this).sync().channel();
            predecessor.ready();
        } catch (Exception e) {
            predecessor.abort(String.valueOf(e.getMessage()));
            throw e;
        }
        // The sockets are this proxy's alone now: when it stops without a successor, it deletes their files.
        adoptedSocketFiles.add(handover);
        if (options.listen() instanceof DomainSocketAddress unix) {
            adoptedSocketFiles.add(Path.of(unix.path()));
        }
    }

    private void bind(FrontInitializer initializer) throws IOException, InterruptedException {
        SocketAddress address = options.listen();
        if (address instanceof DomainSocketAddress unix) {
            UnixSocketFile.removeIfStale(Path.of(unix.path()));
        }
        boolean sharing = options.operations().reusePort();
        boolean spread = spreadsClients();
        checkPortFree();
        if (!spread) {
            ServerBootstrap bootstrap = serverBootstrap(group, group, initializer)
                    .channel(options.transport().serverChannelClass(address));
            if (sharing) {
                bootstrap.option(options.transport().reusePortOption(), true);
            }
            listeners.add(bootstrap.bind(address).sync().channel());
            return;
        }
        for (EventExecutor loop : group) {
            Channel listener = reusePortListener((EventLoopGroup) loop, initializer).bind(address).sync().channel();
            listeners.add(listener);
            // With port 0 the first socket picks the port, and the others join it.
            address = listener.localAddress();
        }
    }

    /** Whether there is one listening socket per event loop, bound with {@code SO_REUSEPORT}. */
    private boolean spreadsClients() {
        return options.listen() instanceof InetSocketAddress && options.transport() == Transport.EPOLL
                && options.threads() > 1;
    }

    /**
     * Before binding one socket per loop with {@code SO_REUSEPORT}, which would join a port someone else listens on,
     * checks that nobody does, unless {@code --reuse-port} asks for sharing.
     */
    private void checkPortFree() throws IOException {
        if (spreadsClients() && !options.operations().reusePort()
                && ((InetSocketAddress) options.listen()).getPort() != 0) {
            PortCheck.checkFree((InetSocketAddress) options.listen());
        }
    }

    /**
     * Serves on the listening sockets a predecessor handed over: socket {@code i} on event loop {@code i} modulo the
     * loops, each with its clients on its own loop; a single socket without {@code SO_REUSEPORT} hands its clients
     * to all loops in turn; with fewer sockets sharing a port than loops, the other loops bind sockets to join them.
     */
    private void adopt(List<Integer> fds, FrontInitializer initializer) throws IOException, InterruptedException {
        List<EventLoopGroup> loops = new ArrayList<>();
        for (EventExecutor loop : group) {
            loops.add((EventLoopGroup) loop);
        }
        boolean unix = options.listen() instanceof DomainSocketAddress;
        boolean spread = !unix && (fds.size() > 1 || new Socket(fds.get(0)).isReusePort());
        for (int i = 0; i < fds.size(); i++) {
            int fd = fds.get(i);
            EventLoopGroup loop = loops.get(i % loops.size());
            ChannelFactory<ServerChannel> channel = unix
                    ? () -> new EpollServerDomainSocketChannel(fd, true) : () -> new EpollServerSocketChannel(fd);
            listeners.add(serverBootstrap(loop, spread ? loop : group, initializer)
                    .channelFactory(channel).register().sync().channel());
        }
        if (spread) {
            SocketAddress address = listeners.get(0).localAddress();
            for (int i = fds.size(); i < loops.size(); i++) {
                listeners.add(reusePortListener(loops.get(i), initializer).bind(address).sync().channel());
            }
        }
    }

    private ServerBootstrap reusePortListener(EventLoopGroup loop, FrontInitializer initializer) {
        return serverBootstrap(loop, loop, initializer).channel(options.transport().serverChannelClass(options.listen()))
                .option(options.transport().reusePortOption(), true);
    }

    private void closeListeners() {
        if (forward != null) {
            forward.stopAccepting();
        }
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
        if (metricsServer != null) {
            metricsServer.close().syncUninterruptibly();
        }
        if (handoverServer != null) {
            handoverServer.close().syncUninterruptibly();
        }
        for (Path file : adoptedSocketFiles) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                logger.warn("cannot delete the socket file {}: {}", file, e.getMessage());
            }
        }
    }

    private void drain(Duration drain) {
        int open = status.activeConnections();
        if (open > 0 && !drain.isZero()) {
            logger.info("stopped accepting; waiting up to {} ms for {} open connection(s) to finish", drain.toMillis(),
                    open);
            if (!awaitClientsClosed(drain)) {
                logger.warn("{} connection(s) still open after {} ms: resetting them", status.activeConnections(),
                        drain.toMillis());
            }
        }
        if (forward != null) {
            forward.close();
        }
        long deadline = System.nanoTime() + ABORT_WAIT.toNanos();
        for (Future<RelayStats> aborted : status.abortRelays()) {
            aborted.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /** Waits up to {@code drain} for every client to be closed; whether they all were. */
    private boolean awaitClientsClosed(Duration drain) {
        if (forward == null) {
            return clients.newCloseFuture().awaitUninterruptibly(drain.toMillis());
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (forward.relays() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(DRAIN_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return forward.relays() == 0;
    }

    private void shutDown() {
        group.shutdownGracefully(QUIET_PERIOD.toMillis(), 5000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        if (control != null) {
            control.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
        resolver.close();
        if (accessLog != null) {
            accessLog.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    private static ServerBootstrap serverBootstrap(EventLoopGroup parent, EventLoopGroup children,
                                                   FrontInitializer initializer) {
        return new ServerBootstrap()
                .group(parent, children)
                .handler(new AcceptErrorHandler())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(initializer);
    }
}
