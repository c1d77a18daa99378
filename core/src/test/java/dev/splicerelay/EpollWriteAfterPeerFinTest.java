package dev.splicerelay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins a Netty behaviour the relay depends on, without the relay: an epoll channel whose peer has sent FIN can still
 * write 32 MiB. Netty 4.2.13 to 4.2.18 cannot (once input reaches EOF the fd leaves epoll, the next EPOLLOUT fails
 * with epoll_ctl ENOENT and the output is shut down after about 4 MiB), which would cut every relayed response
 * that follows a request's FIN. If this fails after a Netty upgrade, keep the old version; if an upgrade makes it
 * pass on a newer version, the README's "Netty versions" can say so.
 */
@Timeout(30)
class EpollWriteAfterPeerFinTest {
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS = 32;

    @Test
    void epollChannelWritesEverythingAfterThePeersFin() throws Exception {
        RelayCase.EPOLL_COPY.assumeAvailable();
        EventLoopGroup group = RelayCase.EPOLL_COPY.newGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group)
                    .channel(RelayCase.EPOLL_COPY.serverChannelClass())
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new AnswerLaterAfterFin())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                    ((InetSocketAddress) server.localAddress()).getPort())) {
                client.setSoTimeout(20_000);
                client.getOutputStream().write("hello".getBytes());
                client.shutdownOutput();
                // Read late, so that the server's socket buffer fills and its write has to wait for EPOLLOUT.
                Thread.sleep(1000);
                long received = 0;
                byte[] buf = new byte[64 * 1024];
                InputStream in = client.getInputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    received += n;
                }
                assertEquals((long) CHUNK * CHUNKS, received, "bytes written after the peer's FIN on Netty "
                        + Version.identify().get("netty-transport-classes-epoll"));
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Answers 32 MiB 200 ms after the FIN, once the channel's input EOF has been fully processed. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class AnswerLaterAfterFin extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt != ChannelInputShutdownEvent.INSTANCE) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            ctx.executor().schedule(() -> {
                for (int i = 0; i < CHUNKS; i++) {
                    ctx.write(Unpooled.wrappedBuffer(new byte[CHUNK]));
                }
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                        .addListener(f -> ((DuplexChannel) ctx.channel()).shutdownOutput());
            }, 200, TimeUnit.MILLISECONDS);
        }
    }
}
