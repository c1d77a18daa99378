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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Relays between TCP and Unix domain sockets and between two Unix domain sockets, on epoll: both are epoll stream
 * channels, so they splice as TCP does, byte-exact both ways with half-close.
 */
@Timeout(60)
class UnixDomainRelayTest {
    /** The sizes of {@code ByteExactRelayTest} up to 16 MiB: nothing, one byte, either side of a 64 KiB pipe. */
    private static final long[] SIZES = {0, 1, 65_535, 65_537, 16L << 20};

    @TempDir
    Path dir;

    static Stream<Arguments> casesAndInbound() {
        return Stream.of(RelayCase.EPOLL_COPY, RelayCase.EPOLL_SPLICE, RelayCase.EPOLL_SPLICE_OWN)
                .flatMap(c -> Stream.of("tcp", "unix").flatMap(inbound -> LongStream.of(SIZES)
                        .mapToObj(size -> Arguments.of(c, inbound, size))));
    }

    @ParameterizedTest(name = "{0}: {1} client -> unix backend, {2} B each way")
    @MethodSource("casesAndInbound")
    void relaysToAUnixDomainBackendByteExact(RelayCase relayCase, String inbound, long size) throws Exception {
        relayCase.assumeAvailable();
        boolean unixInbound = inbound.equals("unix");
        Path backendPath = dir.resolve("backend.sock");
        Path relayPath = dir.resolve("relay.sock");
        RelayConfig config = relayCase.config().build();
        BlockingQueue<SpliceRelayHandler> relays = new LinkedBlockingQueue<>();
        EventLoopGroup group = relayCase.newGroup(1);
        ExecutorService peers = Executors.newCachedThreadPool();
        try (ServerSocketChannel backendServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            backendServer.bind(UnixDomainSocketAddress.of(backendPath));
            Class<? extends ServerChannel> serverClass =
                    unixInbound ? EpollServerDomainSocketChannel.class : EpollServerSocketChannel.class;
            SocketAddress listen = unixInbound ? new DomainSocketAddress(relayPath.toString())
                    : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            Channel server = new ServerBootstrap().group(group).channel(serverClass)
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
            SocketAddress relayAddress = unixInbound ? UnixDomainSocketAddress.of(relayPath) : server.localAddress();
            try (SocketChannel client = SocketChannel.open(relayAddress);
                 SocketChannel backend = backendServer.accept()) {
                Future<Transfer> up = peers.submit(() -> Streams.send(out(client),
                        client::shutdownOutput, new byte[0], size, 1));
                Future<Transfer> down = peers.submit(() -> Streams.send(out(backend),
                        backend::shutdownOutput, new byte[0], size, 2));
                Future<Transfer> atBackend = peers.submit(
                        () -> Streams.receive(in(backend), 64 * 1024, 0));
                Transfer atClient = Streams.receive(in(client), 64 * 1024, 0);
                assertEquals(down.get(), atClient, "backend -> client");
                assertEquals(up.get(), atBackend.get(), "client -> backend");
            }
            SpliceRelayHandler relay = relays.poll(5, TimeUnit.SECONDS);
            assertNotNull(relay);
            RelayStats stats = relay.completionFuture().get(5, TimeUnit.SECONDS);
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            relayCase.assertRanIn(stats);
            assertEquals(size, stats.bytesInboundToPeer(), stats::toString);
            assertEquals(size, stats.bytesPeerToInbound(), stats::toString);
            server.close().sync();
        } finally {
            peers.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
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
