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

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins, without the relay, the Netty epoll behaviour that {@link EpollEmptyInterestWorkaround} works around, and
 * shows that the workaround keeps it from cutting a stream: an epoll channel whose peer has sent FIN writes 32 MiB,
 * starting once the FIN has been fully processed (as a relay's answer does).
 *
 * <p>Bare Netty 4.2.13 and later (netty/netty#16689) cut that answer after a socket buffer or so; 4.2.12 and 4.1 send
 * it whole. If an upgrade fixes the bug, {@link #bareNettyCutsTheAnswerOnlyOnTheAffectedReleases} fails and says so:
 * then the README's compatibility table can name the fixed release.
 */
@Timeout(30)
class EpollWriteAfterPeerFinTest {
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS = 32;
    private static final long ANSWER = (long) CHUNK * CHUNKS;

    @BeforeEach
    void epoll() {
        RelayCase.EPOLL_COPY.assumeAvailable();
    }

    @Test
    void bareNettyCutsTheAnswerOnlyOnTheAffectedReleases() throws Exception {
        NettyVersion netty = NettyVersion.ofTransport();
        boolean affected = netty.isLine(4, 2) && netty.isAtLeast(EpollEmptyInterestWorkaround.FIRST_AFFECTED);
        long received = answerAfterFin(channel -> channel.newSucceededFuture());
        if (affected) {
            assertTrue(received < ANSWER, "Netty " + netty + " wrote all " + ANSWER + " bytes after the peer's FIN "
                    + "without the workaround: netty/netty#16689 looks fixed in it, so name it in the README's Netty "
                    + "compatibility table (the workaround stays harmless)");
        } else {
            assertEquals(ANSWER, received, "bytes written after the peer's FIN on Netty " + netty);
        }
    }

    @Test
    void withTheWorkaroundTheWholeAnswerArrives() throws Exception {
        assertNull(EpollEmptyInterestWorkaround.unavailableReason());
        assertEquals(ANSWER, answerAfterFin(EpollEmptyInterestWorkaround::apply));
    }

    /** The workaround applied only once the interest set is empty: the fd is out of epoll and must be added again. */
    @Test
    void theWorkaroundAppliedAfterTheFinWasProcessedRestoresTheChannel() throws Exception {
        assertEquals(ANSWER, answerAfterFin(null));
    }

    /**
     * Serves one client that sends 5 bytes and FIN, then reads late; the server answers 32 MiB 200 ms after the FIN.
     * {@code workaround} runs on the server's channel when it becomes active, or, if {@code null}, just before the
     * answer. Returns the bytes the client received.
     */
    private static long answerAfterFin(Function<Channel, ChannelFuture> workaround) throws Exception {
        EventLoopGroup group = RelayCase.EPOLL_COPY.newGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group)
                    .channel(RelayCase.EPOLL_COPY.serverChannelClass())
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new AnswerLaterAfterFin(workaround))
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
                return received;
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @io.netty.channel.ChannelHandler.Sharable
    private static final class AnswerLaterAfterFin extends ChannelInboundHandlerAdapter {
        private final Function<Channel, ChannelFuture> workaround;

        AnswerLaterAfterFin(Function<Channel, ChannelFuture> workaround) {
            this.workaround = workaround;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (workaround != null) {
                workaround.apply(ctx.channel());
            }
            ctx.fireChannelActive();
        }

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
                if (workaround == null) {
                    EpollEmptyInterestWorkaround.apply(ctx.channel()).addListener(applied -> answer(ctx));
                } else {
                    answer(ctx);
                }
            }, 200, TimeUnit.MILLISECONDS);
        }

        private static void answer(ChannelHandlerContext ctx) {
            for (int i = 0; i < CHUNKS; i++) {
                ctx.write(Unpooled.wrappedBuffer(new byte[CHUNK]));
            }
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((DuplexChannel) ctx.channel()).shutdownOutput());
        }
    }
}
