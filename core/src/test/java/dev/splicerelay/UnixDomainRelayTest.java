package dev.splicerelay;

import dev.splicerelay.Streams.Transfer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Relays between TCP and Unix domain sockets and between two Unix domain sockets, on epoll: both are epoll stream
 * channels, so they splice as TCP does, byte-exact both ways with half-close; the idle timeout ends an idle pair, and
 * no fd is left behind. (A Unix socket has no reset, so the reset guarantees do not apply.)
 */
@Timeout(60)
class UnixDomainRelayTest {
    /** The sizes of {@code ByteExactRelayTest} up to 16 MiB: nothing, one byte, either side of a 64 KiB pipe. */
    private static final long[] SIZES = {0, 1, 65_535, 65_537, 16L << 20};

    @TempDir
    Path dir;

    static Stream<Arguments> casesAndInbound() {
        return casesAndInboundKinds().flatMap(caseAndInbound -> LongStream.of(SIZES)
                .mapToObj(size -> Arguments.of(caseAndInbound.get()[0], caseAndInbound.get()[1], size)));
    }

    @ParameterizedTest(name = "{0}: {1} client -> unix backend, {2} B each way")
    @MethodSource("casesAndInbound")
    void relaysToAUnixDomainBackendByteExact(RelayCase relayCase, String inbound, long size) throws Exception {
        relayCase.assumeAvailable();
        try (UnixRelayServer relays = new UnixRelayServer(relayCase, inbound, relayCase.config().build());
             SocketChannel client = relays.connect();
             SocketChannel backend = relays.acceptBackend()) {
            Future<Transfer> up = relays.async(() -> Streams.send(out(client), client::shutdownOutput, new byte[0],
                    size, 1));
            Future<Transfer> down = relays.async(() -> Streams.send(out(backend), backend::shutdownOutput,
                    new byte[0], size, 2));
            Future<Transfer> atBackend = relays.async(() -> Streams.receive(in(backend), 64 * 1024, 0));
            Transfer atClient = Streams.receive(in(client), 64 * 1024, 0);
            assertEquals(down.get(), atClient, "backend -> client");
            assertEquals(up.get(), atBackend.get(), "client -> backend");
            RelayStats stats = relays.nextStats();
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            relayCase.assertRanIn(stats);
            assertEquals(size, stats.bytesInboundToPeer(), stats::toString);
            assertEquals(size, stats.bytesPeerToInbound(), stats::toString);
        }
    }

    @ParameterizedTest(name = "{0}: {1} client -> unix backend")
    @MethodSource("casesAndInboundKinds")
    void anIdleUnixPairIsClosedByTheIdleTimeout(RelayCase relayCase, String inbound) throws Exception {
        relayCase.assumeAvailable();
        RelayConfig config = relayCase.config().idleTimeout(Duration.ofMillis(300)).build();
        try (UnixRelayServer relays = new UnixRelayServer(relayCase, inbound, config);
             SocketChannel client = relays.connect();
             SocketChannel backend = relays.acceptBackend()) {
            Transfer hello = Streams.send(out(client), () -> { }, new byte[0], 100, 3);
            Future<Transfer> atClient = relays.async(() -> Streams.receive(in(client), 64 * 1024, 0));
            assertEquals(hello, Streams.receive(in(backend), 64 * 1024, 0), "what moved before the relay went idle");
            assertEquals(0, atClient.get().bytes());
            RelayStats stats = relays.nextStats();
            assertEquals(RelayOutcome.IDLE_TIMEOUT, stats.outcome(), stats::toString);
            assertTrue(stats.duration().toMillis() >= 300, stats::toString);
            relayCase.assertRanIn(stats);
        }
    }

    @ParameterizedTest(name = "{0}: {1} client -> unix backend")
    @MethodSource("casesAndInboundKinds")
    void unixRelaysLeaveNoFileDescriptorBehind(RelayCase relayCase, String inbound) throws Exception {
        relayCase.assumeAvailable();
        OpenFds.assumeCountable();
        try (UnixRelayServer relays = new UnixRelayServer(relayCase, inbound, relayCase.config().build())) {
            relayOneKiB(relays);
            int baseline = OpenFds.exceptPooledPipes();
            for (int i = 0; i < 200; i++) {
                relayOneKiB(relays);
            }
            int open = OpenFds.awaitAtMost(baseline, OpenFds::exceptPooledPipes);
            assertTrue(open <= baseline, open + " open fds after 200 relays, " + baseline + " before");
        }
    }

    private static void relayOneKiB(UnixRelayServer relays) throws Exception {
        try (SocketChannel client = relays.connect();
             SocketChannel backend = relays.acceptBackend()) {
            Transfer request = Streams.send(out(client), client::shutdownOutput, new byte[0], 1024, 4);
            assertEquals(request, Streams.receive(in(backend), 64 * 1024, 0));
            Transfer reply = Streams.send(out(backend), backend::shutdownOutput, new byte[0], 1024, 5);
            assertEquals(reply, Streams.receive(in(client), 64 * 1024, 0));
        }
        assertEquals(RelayOutcome.COMPLETED, relays.nextStats().outcome());
    }

    static Stream<Arguments> casesAndInboundKinds() {
        return Stream.of(RelayCase.EPOLL_COPY, RelayCase.EPOLL_SPLICE, RelayCase.EPOLL_SPLICE_OWN)
                .flatMap(c -> Stream.of(Arguments.of(c, "tcp"), Arguments.of(c, "unix")));
    }

    /**
     * An epoll relay server in front of a Unix domain socket backend: it listens on TCP or on a Unix socket
     * ({@code inbound}), and every accepted channel is relayed to the backend with {@code config}.
     */
    private final class UnixRelayServer implements AutoCloseable {
        private final BlockingQueue<SpliceRelayHandler> relays = new LinkedBlockingQueue<>();
        private final ExecutorService peers = Executors.newCachedThreadPool();
        private final EventLoopGroup group;
        private final ServerSocketChannel backendServer;
        private final Channel server;
        private final SocketAddress address;

        UnixRelayServer(RelayCase relayCase, String inbound, RelayConfig config) throws Exception {
            boolean unixInbound = inbound.equals("unix");
            Path backendPath = dir.resolve("backend.sock");
            Path relayPath = dir.resolve("relay.sock");
            group = relayCase.newGroup(1);
            backendServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            backendServer.bind(UnixDomainSocketAddress.of(backendPath));
            Class<? extends ServerChannel> serverClass =
                    unixInbound ? EpollServerDomainSocketChannel.class : EpollServerSocketChannel.class;
            SocketAddress listen = unixInbound ? new DomainSocketAddress(relayPath.toString())
                    : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            server = new ServerBootstrap().group(group).channel(serverClass)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            SpliceRelayHandler handler = new SpliceRelayHandler(
                                    RelayBootstrap.connect(ch, new DomainSocketAddress(backendPath.toString())), config);
                            ch.pipeline().addLast(handler);
                            relays.add(handler);
                        }
                    })
                    .bind(listen).sync().channel();
            address = unixInbound ? UnixDomainSocketAddress.of(relayPath) : server.localAddress();
        }

        SocketChannel connect() throws IOException {
            return SocketChannel.open(address);
        }

        SocketChannel acceptBackend() throws IOException {
            return backendServer.accept();
        }

        <T> Future<T> async(Callable<T> task) {
            return peers.submit(task);
        }

        /** The stats of the next relay, once it has ended. */
        RelayStats nextStats() throws Exception {
            SpliceRelayHandler relay = relays.poll(5, TimeUnit.SECONDS);
            assertNotNull(relay, "no relay started within 5 s");
            return relay.completionFuture().get(5, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            peers.shutdownNow();
            try {
                server.close().sync();
                backendServer.close();
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    /*
     * Channels.newInputStream and newOutputStream lock the same SelectableChannel, so a read blocks a write on the
     * same socket; these streams let one thread read while another writes.
     */
    private static InputStream in(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    private static OutputStream out(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        };
    }
}
