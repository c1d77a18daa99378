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

import dev.splicerelay.testing.TestSocket;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * client (blocking socket) → relay server (Netty, the case's transport) → backend (blocking server socket), on
 * loopback or, as the {@link SocketPair} says, on Unix domain sockets in a directory of the fixture's own. Every
 * accepted connection is relayed to the backend with a {@link SpliceRelayHandler}, whose peer {@link #connectPeer}
 * connects as the case says; the test reads each relay's channels and completion from {@link #nextRelay()}.
 */
final class RelayFixture implements TcpRelayFixture {
    static final int IO_TIMEOUT_MILLIS = 30_000;
    private static final int EVENT_LOOPS = 2;
    private static final ChannelHandler NO_HANDLERS = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
            // The relay adds its own handler.
        }
    };

    /** One relay the server started. */
    record Relayed(Channel inbound, Channel peer, SpliceRelayHandler handler) {
        Future<RelayStats> completion() {
            return handler.completionFuture();
        }
    }

    private final SocketPair pair;
    private final EventLoopGroup group;
    /** The event loops of a mixed pair's peers, or null where the peers share the inbound channels' loops. */
    private final EventLoopGroup peerGroup;
    private final Class<? extends Channel> peerChannelClass;
    private final Channel server;
    /** Where the Unix domain sockets are, or null on TCP_TO_TCP. */
    private final Path socketDir;
    /** The backend's listening socket: one of these two, as the pair's peer kind says. */
    private final ServerSocket tcpBackend;
    private final ServerSocketChannel unixBackend;
    private final Selector unixAccepts;
    private final BlockingQueue<Relayed> relays = new LinkedBlockingQueue<>();
    private final ExecutorService executor = newPeerThreads();

    /** Daemon threads for a test's blocking peers, which the test shuts down when it ends. */
    static ExecutorService newPeerThreads() {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-peer");
            t.setDaemon(true);
            return t;
        });
    }

    RelayFixture(RelayCase relayCase) throws Exception {
        this(relayCase, relayCase.config().build());
    }

    RelayFixture(RelayCase relayCase, SocketPair pair) throws Exception {
        this(relayCase, pair, relayCase.config().build());
    }

    RelayFixture(RelayCase relayCase, RelayConfig config) throws Exception {
        this(relayCase, SocketPair.TCP_TO_TCP, config);
    }

    RelayFixture(RelayCase relayCase, SocketPair pair, RelayConfig config) throws Exception {
        this(relayCase, pair, fixture -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                fixture.relay(ch, config);
            }
        });
    }

    /** A relay server whose accepted channels get the handler {@code childHandler} makes. */
    RelayFixture(RelayCase relayCase, Function<RelayFixture, ChannelHandler> childHandler) throws Exception {
        this(relayCase, SocketPair.TCP_TO_TCP, childHandler);
    }

    RelayFixture(RelayCase relayCase, SocketPair pair, Function<RelayFixture, ChannelHandler> childHandler)
            throws Exception {
        relayCase.assumeAvailable();
        if (pair.hasUnix() && !relayCase.onUnixPairs()) {
            throw new IllegalArgumentException(relayCase + " does not run on Unix domain sockets");
        }
        this.pair = pair;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        socketDir = pair.hasUnix() ? Files.createTempDirectory("splice-relay-") : null;
        if (pair.unixPeer()) {
            tcpBackend = null;
            unixBackend = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            unixBackend.bind(UnixDomainSocketAddress.of(backendPath()), 1024);
            unixBackend.configureBlocking(false);
            unixAccepts = Selector.open();
            unixBackend.register(unixAccepts, SelectionKey.OP_ACCEPT);
        } else {
            tcpBackend = new ServerSocket(0, 1024, loopback);
            tcpBackend.setSoTimeout(IO_TIMEOUT_MILLIS);
            unixBackend = null;
            unixAccepts = null;
        }
        Class<? extends ServerChannel> serverChannelClass =
                pair.unixInbound() ? EpollServerDomainSocketChannel.class : relayCase.serverChannelClass();
        SocketAddress listen = pair.unixInbound() ? new DomainSocketAddress(relayPath().toString())
                : new InetSocketAddress(loopback, 0);
        RelayCase peerTransport = relayCase.peerTransport();
        peerGroup = peerTransport == null ? null : peerTransport.newGroup(EVENT_LOOPS);
        peerChannelClass = peerTransport == null ? null : peerTransport.socketChannelClass();
        group = relayCase.newGroup(EVENT_LOOPS);
        server = new ServerBootstrap()
                .group(group)
                .channel(serverChannelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(childHandler.apply(this))
                .bind(listen).sync().channel();
    }

    /** Relays {@code inbound} to the backend with {@code config}, as a proxy's initializer would. */
    void relay(Channel inbound, RelayConfig config) {
        relay(inbound, config, connectPeer(inbound));
    }

    /**
     * Connects {@code inbound}'s peer to the backend: with {@link RelayBootstrap} on the inbound channel's loop, or
     * in a mixed pair with {@link #connectOn} on the peer group.
     */
    ChannelFuture connectPeer(Channel inbound) {
        return peerGroup == null ? RelayBootstrap.connect(inbound, backendAddress())
                : connectOn(inbound, peerGroup, peerChannelClass);
    }

    /**
     * Connects {@code inbound}'s peer to the backend on {@code group}, as a proxy with an event loop group of its own
     * for the outbound side would.
     */
    ChannelFuture connectOn(Channel inbound, EventLoopGroup group, Class<? extends Channel> channelClass) {
        Bootstrap bootstrap = new Bootstrap().group(group).channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .handler(NO_HANDLERS);
        return RelayBootstrap.connect(inbound, bootstrap, backendAddress());
    }

    /** Relays {@code inbound} to the channel {@code connect} connects. */
    void relay(Channel inbound, RelayConfig config, ChannelFuture connect) {
        relay(inbound, connect, new SpliceRelayHandler(connect, config));
    }

    /** Relays {@code inbound} with {@code handler}, which the test made with {@code connect}. */
    void relay(Channel inbound, ChannelFuture connect, SpliceRelayHandler handler) {
        inbound.pipeline().addLast(handler);
        relays.add(new Relayed(inbound, connect.channel(), handler));
    }

    /** The backend's address, as the relay connects to it: a {@link DomainSocketAddress} for a Unix peer. */
    /**
     * CPU time used so far by the threads of the fixture's event loops, where a relay runs and would spin if it did;
     * unlike the process's, it leaves out the JIT compiler and the garbage collector.
     */
    long eventLoopCpuNanos() {
        long nanos = ProcessCpu.threadsNanos(group);
        return peerGroup == null ? nanos : nanos + ProcessCpu.threadsNanos(peerGroup);
    }

    SocketAddress backendAddress() {
        return pair.unixPeer() ? new DomainSocketAddress(backendPath().toString())
                : tcpBackend.getLocalSocketAddress();
    }

    private Path backendPath() {
        return socketDir.resolve("backend.sock");
    }

    private Path relayPath() {
        return socketDir.resolve("relay.sock");
    }

    /** A new client of the relay server, on the pair's inbound kind of socket. */
    TestSocket newClient() throws IOException {
        if (pair.unixInbound()) {
            // A blocking SocketChannel has no read timeout; the tests' own timeouts interrupt it, which closes it.
            return TestSocket.unix(SocketChannel.open(UnixDomainSocketAddress.of(relayPath())));
        }
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort());
        socket.setSoTimeout(IO_TIMEOUT_MILLIS);
        return TestSocket.tcp(socket);
    }

    /** The backend's end of the next connection the relay opens to it, on the pair's peer kind of socket. */
    TestSocket nextBackend() throws IOException {
        if (pair.unixPeer()) {
            return TestSocket.unix(acceptUnix());
        }
        Socket socket = tcpBackend.accept();
        socket.setSoTimeout(IO_TIMEOUT_MILLIS);
        return TestSocket.tcp(socket);
    }

    /** Accepts within {@link #IO_TIMEOUT_MILLIS}, as the TCP backend's {@code SO_TIMEOUT} does; in blocking mode. */
    private SocketChannel acceptUnix() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IO_TIMEOUT_MILLIS);
        for (SocketChannel accepted; ; unixAccepts.selectedKeys().clear()) {
            if ((accepted = unixBackend.accept()) != null) {
                return accepted;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("no connection to the Unix backend within " + IO_TIMEOUT_MILLIS
                        + " ms");
            }
            unixAccepts.select(left);
        }
    }

    /** {@link #newClient()} on a TCP inbound side, for tests of TCP only. */
    @Override
    public Socket connect() throws IOException {
        return newClient().socket();
    }

    /**
     * The backend's end of the next connection, if the relay opens one within {@code millis}; {@code null} otherwise.
     * TCP only.
     */
    Socket acceptBackendWithin(int millis) throws IOException {
        tcpBackend.setSoTimeout(millis);
        try {
            Socket socket = tcpBackend.accept();
            socket.setSoTimeout(IO_TIMEOUT_MILLIS);
            return socket;
        } catch (SocketTimeoutException none) {
            return null;
        } finally {
            tcpBackend.setSoTimeout(IO_TIMEOUT_MILLIS);
        }
    }

    /** {@link #nextBackend()} on a TCP peer side, for tests of TCP only. */
    @Override
    public Socket acceptBackend() throws IOException {
        return nextBackend().socket();
    }

    Relayed nextRelay() throws InterruptedException {
        Relayed relayed = relays.poll(10, TimeUnit.SECONDS);
        assertNotNull(relayed, "no relay started within 10 s");
        return relayed;
    }

    @Override
    public RelayStats nextStats() throws Exception {
        return nextRelay().completion().get(10, TimeUnit.SECONDS);
    }

    @Override
    public <T> java.util.concurrent.Future<T> async(Callable<T> task) {
        return executor.submit(task);
    }

    @Override
    public void close() throws Exception {
        close(0);
    }

    /**
     * Closes the fixture; its event loops shut down with a quiet period of {@code quietMillis}. With 0, Netty 4.2.12
     * does not close the channels and handles registered with a loop if the shutdown lands while the loop runs
     * tasks (see {@link EpollIo.Listener}); tests of what a loop's shutdown does to relays need a quiet period.
     */
    void close(long quietMillis) throws Exception {
        executor.shutdownNow();
        try {
            server.close().sync();
            if (peerGroup != null) {
                // First: the events of the peers it closes are handed over to the relays' loops, which must still run.
                peerGroup.shutdownGracefully(quietMillis, 2000 + quietMillis, TimeUnit.MILLISECONDS).sync();
            }
            group.shutdownGracefully(quietMillis, 2000 + quietMillis, TimeUnit.MILLISECONDS).sync();
        } finally {
            // Also after a test that timed out, whose interrupt breaks the syncs above: no socket file stays behind.
            if (tcpBackend != null) {
                tcpBackend.close();
            } else {
                unixAccepts.close();
                unixBackend.close();
            }
            if (socketDir != null) {
                Files.deleteIfExists(backendPath());
                Files.deleteIfExists(relayPath());
                Files.delete(socketDir);
            }
        }
    }
}
