package dev.splicerelay.examples.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running proxy: its event loops, its listening sockets and its clients, from {@link #start} to {@link #stop}.
 *
 * <p>On epoll with more than one thread there is one listening socket per event loop, all bound to the same port
 * with {@code SO_REUSEPORT}: the kernel spreads new connections over them, and a client, its target connection and
 * its relay all stay on the loop that accepted it, so the loops share nothing. Elsewhere one listening socket hands
 * its clients to the loops in turn. (Any process of the same user can join a port bound with {@code SO_REUSEPORT};
 * with one thread the proxy does not set it, so a port in use is always reported.)
 *
 * <p>A Unix domain socket ({@code --listen unix:PATH}, epoll only) always has one listening socket. Binding it
 * creates the socket file, after {@link UnixSocketFile} has made way for it; closing it, in {@link #stop}, deletes
 * the file.
 *
 * <p>Threading: {@link #start} and {@link #stop} are called once each, from one thread.
 */
final class ProxyServer {
    /** The event loops' thread names start with this, which the demo uses to measure their CPU time. */
    static final String LOOP_THREAD_PREFIX = "splice-proxy-loop";

    private static final Logger logger = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup group;
    private final OffLoopResolverGroup resolver;
    private final ProxyStatus status;
    private final TargetGroup targets;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();

    private ProxyServer(ProxyOptions options) {
        this.group = new MultiThreadIoEventLoopGroup(options.threads(),
                new DefaultThreadFactory(LOOP_THREAD_PREFIX), options.transport().ioHandlerFactory());
        this.resolver = new OffLoopResolverGroup();
        this.status = new ProxyStatus(options.maxConnections());
        this.targets = new TargetGroup(options.front() == Front.FORWARD ? options.targets() : options.allow().targets(),
                options.balance(), options.health());
    }

    /**
     * Binds the listening sockets and starts serving.
     *
     * @throws Exception if a socket cannot be bound (the address is in use or not local, or a Unix socket's path is
     *                   taken, for example); nothing is left running then
     */
    static ProxyServer start(ProxyOptions options) throws Exception {
        ProxyServer server = new ProxyServer(options);
        try {
            server.bind(options);
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
        return listeners.get(0).localAddress();
    }

    int listeningSockets() {
        return listeners.size();
    }

    ProxyStatus status() {
        return status;
    }

    /**
     * The targets and their health: the forward front's {@code --target}s, or the {@code --allow}ed targets of the
     * connect and socks5 fronts.
     */
    TargetGroup targets() {
        return targets;
    }

    /**
     * Stops accepting, lets open connections go on for up to {@code drain}, then closes what is left and shuts the
     * event loops down; returns when they have terminated.
     */
    void stop(Duration drain) {
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
        int open = status.activeConnections();
        if (open > 0 && !drain.isZero()) {
            logger.info("stopped accepting; waiting up to {} s for {} open connection(s) to finish", drain.toSeconds(),
                    open);
            if (!clients.newCloseFuture().awaitUninterruptibly(drain.toMillis())) {
                logger.warn("{} connection(s) still open after {} s: closing them", clients.size(), drain.toSeconds());
            }
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        resolver.close();
    }

    private void bind(ProxyOptions options) throws IOException, InterruptedException {
        FrontInitializer initializer = new FrontInitializer(options, targets,
                new TargetConnector(options.relayConfig(), (int) options.connectTimeout().toMillis(), resolver, status,
                        options.sendProxy()),
                status, clients);
        if (options.listen() instanceof DomainSocketAddress unix) {
            UnixSocketFile.removeIfStale(Path.of(unix.path()));
        }
        boolean reusePort = options.listen() instanceof InetSocketAddress && options.transport() == Transport.EPOLL
                && options.threads() > 1;
        if (!reusePort) {
            listeners.add(serverBootstrap(options, group, initializer).bind(options.listen()).sync().channel());
            return;
        }
        SocketAddress address = options.listen();
        for (EventExecutor loop : group) {
            Channel listener = serverBootstrap(options, (EventLoopGroup) loop, initializer)
                    .option(EpollChannelOption.SO_REUSEPORT, true)
                    .bind(address).sync().channel();
            listeners.add(listener);
            // With port 0 the first socket picks the port, and the others join it.
            address = listener.localAddress();
        }
    }

    private static ServerBootstrap serverBootstrap(ProxyOptions options, EventLoopGroup loops,
                                                   FrontInitializer initializer) {
        return new ServerBootstrap()
                .group(loops, loops)
                .channel(options.transport().serverChannelClass(options.listen()))
                .handler(new AcceptErrorHandler())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(initializer);
    }
}
