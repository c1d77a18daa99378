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
package dev.splicerelay.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * A reference point for {@code peers.sh}, without splice-relay: the relay most Netty users write first, after Netty's
 * {@code HexDumpProxy} example. Each accepted connection gets an outbound connection on the same event loop; every
 * buffer read on one side is written to the other, and the next read waits for that write (backpressure); when
 * either side closes, the other is flushed and closed.
 *
 * <pre>
 * java -cp benchmarks.jar dev.splicerelay.benchmarks.NettyProxyMain --listen 127.0.0.1:20001 \
 *      --target 127.0.0.1:21001 --transport epoll|nio|io_uring --threads 1
 * </pre>
 *
 * <p>It is not a correct relay: it has no half-close (a FIN closes both directions, so a reply sent after the client's
 * FIN is lost) and it never splices. It measures what Netty's own per-connection and per-buffer work costs, so
 * that {@code peers.sh} can tell splice-relay's overhead apart from Netty's. Everything runs on the accepting
 * channel's event loop; each buffer read is owned by the write that forwards it.
 */
public final class NettyProxyMain {
    private NettyProxyMain() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv, "--listen", "--target", "--transport", "--threads");
        InetSocketAddress target = args.address("--target", null);
        Transport transport = Transport.parse(args.get("--transport", "epoll"));
        int threads = Integer.parseInt(args.get("--threads", "1"));
        EventLoopGroup group = transport.newGroup(threads);
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel inbound) {
                        inbound.pipeline().addLast(new FrontendHandler(transport, target));
                    }
                })
                .bind(args.address("--listen", null)).sync().channel();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close().syncUninterruptibly();
            group.shutdownGracefully().syncUninterruptibly();
            stopped.countDown();
        }));
        System.out.println("netty proxy listening on " + server.localAddress() + ", target " + target
                + ", transport " + transport + ", threads " + threads);
        stopped.await();
    }

    /**
     * One side: forwards what it reads to {@link #other}, and closes {@link #other} when it closes. The accepted side
     * connects its other side first; the outbound side starts reading once connected.
     */
    private static class Forwarder extends ChannelInboundHandlerAdapter {
        Channel other;

        Forwarder(Channel other) {
            this.other = other;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel from = ctx.channel();
            other.writeAndFlush(msg).addListener((ChannelFutureListener) written -> {
                if (written.isSuccess()) {
                    from.read();
                } else {
                    written.channel().close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (other != null) {
                closeOnFlush(other);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /** The accepted side: reads only once its outbound side is connected. */
    private static final class FrontendHandler extends Forwarder {
        private final Transport transport;
        private final InetSocketAddress target;

        FrontendHandler(Transport transport, InetSocketAddress target) {
            super(null);
            this.transport = transport;
            this.target = target;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            ChannelFuture connect = new Bootstrap()
                    .group(inbound.eventLoop())
                    .channel(transport.socketChannelClass())
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new Forwarder(inbound))
                    .connect(target);
            other = connect.channel();
            connect.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    inbound.read();
                } else {
                    inbound.close();
                }
            });
        }
    }

    private static void closeOnFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
