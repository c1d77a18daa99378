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

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.Locale;

/**
 * The Netty transports a relay or echo server can run on. Core's public API has no such type (the application
 * chooses its transport, and core runs on Netty 4.1, which has no io_uring), and the proxy's own enum in
 * {@code examples} is the proxy's command-line option, so the benchmarks, which depend on core only, name theirs here.
 */
public enum Transport {
    NIO(NioServerSocketChannel.class, NioSocketChannel.class),
    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class),
    IO_URING(IoUringServerSocketChannel.class, IoUringSocketChannel.class);

    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends Channel> socketChannelClass;

    Transport(Class<? extends ServerChannel> serverChannelClass, Class<? extends Channel> socketChannelClass) {
        this.serverChannelClass = serverChannelClass;
        this.socketChannelClass = socketChannelClass;
    }

    /** A new group of {@code threads} event loops on this transport; fails at once if epoll or io_uring is missing. */
    public EventLoopGroup newGroup(int threads) {
        switch (this) {
            case EPOLL:
                Epoll.ensureAvailability();
                return new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
            case IO_URING:
                IoUring.ensureAvailability();
                return new MultiThreadIoEventLoopGroup(threads, IoUringIoHandler.newFactory());
            default:
                return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        }
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }

    /** The TCP client channel, for a connection opened on one of this transport's event loops. */
    public Class<? extends Channel> socketChannelClass() {
        return socketChannelClass;
    }

    /** Epoll where it is available, NIO otherwise: the transport of the helpers that are not being measured. */
    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** {@code "epoll"}, {@code "io_uring"} or {@code "nio"}, case-insensitive. */
    public static Transport parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
