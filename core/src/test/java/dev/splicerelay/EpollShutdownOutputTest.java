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
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins what {@link Channels#shutdownOutput} relies on when it shuts an epoll channel's socket down itself instead of
 * calling Netty's {@code shutdownOutput()}: the peer gets the FIN at once, the channel then reports its output shut
 * down (Netty reads the socket's own state), and it keeps reading until the peer's own FIN, which then arrives as
 * {@link ChannelInputShutdownEvent}. Netty's {@link ChannelOutputShutdownEvent} is not fired.
 */
@Timeout(30)
class EpollShutdownOutputTest {
    @BeforeEach
    void epoll() {
        RelayCase.EPOLL_COPY.assumeAvailable();
    }

    @Test
    void aSocketShutDownDirectlyHalfClosesTheChannelWithoutAnOutputShutdownEvent() throws Exception {
        EventLoopGroup group = RelayCase.EPOLL_COPY.newGroup(1);
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        StringBuilder read = new StringBuilder();
        CompletableFuture<String> inputShutdown = new CompletableFuture<>();
        AtomicBoolean outputShutdownEvent = new AtomicBoolean();
        try {
            Channel server = new ServerBootstrap().group(group)
                    .channel(RelayCase.EPOLL_COPY.serverChannelClass())
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    accepted.complete(ctx.channel());
                                }

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf buf = (ByteBuf) msg;
                                    read.append(buf.toString(StandardCharsets.US_ASCII));
                                    buf.release();
                                }

                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    if (evt == ChannelInputShutdownEvent.INSTANCE) {
                                        inputShutdown.complete(read.toString());
                                    } else if (evt == ChannelOutputShutdownEvent.INSTANCE) {
                                        outputShutdownEvent.set(true);
                                    }
                                }
                            });
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                    ((InetSocketAddress) server.localAddress()).getPort())) {
                client.setSoTimeout(10_000);
                Channel channel = accepted.get(10, TimeUnit.SECONDS);
                ChannelFuture shut = channel.eventLoop().submit(() -> Channels.shutdownOutput(channel))
                        .get(10, TimeUnit.SECONDS);

                assertTrue(shut.isSuccess(), () -> "shutdown failed: " + shut.cause());
                assertTrue(((DuplexChannel) channel).isOutputShutdown(), "the channel's output is shut down");
                assertFalse(((DuplexChannel) channel).isInputShutdown(), "its input is still open");
                assertEquals(-1, client.getInputStream().read(), "the peer reads the FIN");

                client.getOutputStream().write("after the FIN".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertEquals("after the FIN", inputShutdown.get(10, TimeUnit.SECONDS));
                assertFalse(outputShutdownEvent.get(), "no ChannelOutputShutdownEvent");
                channel.close().sync();
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
