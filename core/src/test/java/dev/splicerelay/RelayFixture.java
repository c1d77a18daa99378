package dev.splicerelay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * client (blocking socket) → relay server (Netty, the case's transport) → backend (blocking server socket), all on
 * loopback. Every accepted connection is relayed to the backend with {@link RelayBootstrap} and a
 * {@link SpliceRelayHandler}; the test reads each relay's channels and completion from {@link #nextRelay()}.
 */
final class RelayFixture implements AutoCloseable {
    static final int IO_TIMEOUT_MILLIS = 30_000;

    /** One relay the server started. */
    record Relayed(Channel inbound, Channel peer, SpliceRelayHandler handler) {
        Future<RelayStats> completion() {
            return handler.completionFuture();
        }
    }

    private final EventLoopGroup group;
    private final Channel server;
    private final ServerSocket backend;
    private final BlockingQueue<Relayed> relays = new LinkedBlockingQueue<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-peer");
        t.setDaemon(true);
        return t;
    });

    RelayFixture(RelayCase relayCase) throws Exception {
        this(relayCase, relayCase.config().build());
    }

    RelayFixture(RelayCase relayCase, RelayConfig config) throws Exception {
        this(relayCase, fixture -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                fixture.relay(ch, config);
            }
        });
    }

    /** A relay server whose accepted channels get the handler {@code childHandler} makes. */
    RelayFixture(RelayCase relayCase, Function<RelayFixture, ChannelHandler> childHandler) throws Exception {
        relayCase.assumeAvailable();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        backend = new ServerSocket(0, 1024, loopback);
        backend.setSoTimeout(IO_TIMEOUT_MILLIS);
        group = relayCase.newGroup(2);
        server = new ServerBootstrap()
                .group(group)
                .channel(relayCase.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(childHandler.apply(this))
                .bind(new InetSocketAddress(loopback, 0)).sync().channel();
    }

    /** Relays {@code inbound} to the backend with {@code config}, as a proxy's initializer would. */
    void relay(Channel inbound, RelayConfig config) {
        relay(inbound, config, RelayBootstrap.connect(inbound, backendAddress()));
    }

    /** Relays {@code inbound} to the channel {@code connect} connects. */
    void relay(Channel inbound, RelayConfig config, ChannelFuture connect) {
        SpliceRelayHandler handler = new SpliceRelayHandler(connect, config);
        inbound.pipeline().addLast(handler);
        relays.add(new Relayed(inbound, connect.channel(), handler));
    }

    SocketAddress backendAddress() {
        return backend.getLocalSocketAddress();
    }

    Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort());
        socket.setSoTimeout(IO_TIMEOUT_MILLIS);
        return socket;
    }

    Socket acceptBackend() throws IOException {
        Socket socket = backend.accept();
        socket.setSoTimeout(IO_TIMEOUT_MILLIS);
        return socket;
    }

    Relayed nextRelay() throws InterruptedException {
        Relayed relayed = relays.poll(10, TimeUnit.SECONDS);
        assertNotNull(relayed, "no relay started within 10 s");
        return relayed;
    }

    /** The stats of the next relay, once it has ended. */
    RelayStats nextStats() throws Exception {
        return nextRelay().completion().get(10, TimeUnit.SECONDS);
    }

    <T> java.util.concurrent.Future<T> async(Callable<T> task) {
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
        server.close().sync();
        group.shutdownGracefully(quietMillis, 2000 + quietMillis, TimeUnit.MILLISECONDS).sync();
        backend.close();
    }
}
