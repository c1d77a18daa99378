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

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.util.Locale;

/**
 * The Netty transports a relay or echo server can run on.
 */
public enum Transport {
    NIO,
    EPOLL,
    IO_URING;

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
        switch (this) {
            case EPOLL:
                return EpollServerSocketChannel.class;
            case IO_URING:
                return IoUringServerSocketChannel.class;
            default:
                return NioServerSocketChannel.class;
        }
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
