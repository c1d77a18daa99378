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

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.net.InetSocketAddress;

/**
 * The HTTP server of {@code --metrics-listen}: Netty's HTTP codec and a {@link MetricsHttpHandler}, on the proxy's
 * control event loop (one thread that no relay uses). Requests are small: a request line over
 * {@value #MAX_LINE} bytes or headers over {@value #MAX_HEADERS} bytes get {@code 400}, and a connection that sends
 * nothing for {@value #IDLE_SECONDS} s is closed.
 */
final class MetricsServer {
    static final int MAX_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int IDLE_SECONDS = 60;

    private MetricsServer() {
    }

    /** Binds {@code address} on {@code control}, whose transport is {@code transport}. */
    static ChannelFuture bind(EventLoopGroup control, Transport transport, InetSocketAddress address,
                              ProxyMetrics metrics) {
        return bootstrap(control, metrics).channel(transport.serverChannelClass(address)).bind(address);
    }

    /** Serves on a listening socket taken over from a predecessor; {@code control} must be an epoll loop. */
    static ChannelFuture adopt(EventLoopGroup control, int fd, ProxyMetrics metrics) {
        return bootstrap(control, metrics).channelFactory(() -> new EpollServerSocketChannel(fd)).register();
    }

    private static ServerBootstrap bootstrap(EventLoopGroup control, ProxyMetrics metrics) {
        MetricsHttpHandler handler = new MetricsHttpHandler(metrics);
        return new ServerBootstrap().group(control).childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS),
                        new HttpServerCodec(MAX_LINE, MAX_HEADERS, MAX_HEADERS), new HttpServerKeepAliveHandler(),
                        handler);
            }
        });
    }
}
