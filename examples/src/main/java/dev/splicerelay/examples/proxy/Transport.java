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

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.util.Locale;

/**
 * The Netty transport the proxy runs on. Only {@link #EPOLL} can splice, and only it serves Unix domain sockets
 * ({@link #IO_URING} and {@link #NIO} copy);
 * accepted channels and the channels the relay opens to targets share the server channel's transport, so choosing
 * it here chooses it for everything.
 */
enum Transport {
    EPOLL(EpollServerSocketChannel.class, EpollServerDomainSocketChannel.class, EpollSocketChannel.class,
            EpollDomainSocketChannel.class, EpollChannelOption.SO_REUSEPORT) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        String unavailableReason() {
            return Epoll.isAvailable() ? null : String.valueOf(Epoll.unavailabilityCause());
        }
    },
    IO_URING(IoUringServerSocketChannel.class, null, IoUringSocketChannel.class, null,
            IoUringChannelOption.SO_REUSEPORT) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        String unavailableReason() {
            return IoUring.isAvailable() ? null : String.valueOf(IoUring.unavailabilityCause());
        }
    },
    NIO(NioServerSocketChannel.class, null, NioSocketChannel.class, null,
            NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT)) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        String unavailableReason() {
            return null;
        }
    };

    private final Class<? extends ServerChannel> tcpServer;
    private final Class<? extends ServerChannel> unixServer;
    private final Class<? extends Channel> tcpClient;
    private final Class<? extends Channel> unixClient;
    private final ChannelOption<Boolean> reusePort;

    Transport(Class<? extends ServerChannel> tcpServer, Class<? extends ServerChannel> unixServer,
              Class<? extends Channel> tcpClient, Class<? extends Channel> unixClient,
              ChannelOption<Boolean> reusePort) {
        this.tcpServer = tcpServer;
        this.unixServer = unixServer;
        this.tcpClient = tcpClient;
        this.unixClient = unixClient;
        this.reusePort = reusePort;
    }

    /** The transport's option for {@code SO_REUSEPORT} on a TCP server channel. */
    ChannelOption<Boolean> reusePortOption() {
        return reusePort;
    }

    abstract IoHandlerFactory ioHandlerFactory();

    /** The server channel for {@code listen}: a TCP {@code InetSocketAddress} or a {@link DomainSocketAddress}. */
    Class<? extends ServerChannel> serverChannelClass(SocketAddress listen) {
        if (!(listen instanceof DomainSocketAddress)) {
            return tcpServer;
        }
        if (unixServer == null) {
            throw new IllegalArgumentException("the " + cliName() + " transport does not serve Unix domain sockets");
        }
        return unixServer;
    }

    /**
     * The channel that connects to {@code remote} on its own, for a health check: TCP, or for a
     * {@link DomainSocketAddress} a Unix domain socket (epoll only, which {@code ProxyOptions} makes sure of). A
     * client's target connection instead takes the client channel's transport, through {@code RelayBootstrap}.
     */
    Class<? extends Channel> channelClass(SocketAddress remote) {
        return remote instanceof DomainSocketAddress ? unixClient : tcpClient;
    }

    /** Whether this transport can listen on and connect to Unix domain sockets. */
    boolean supportsUnixSockets() {
        return unixServer != null;
    }

    /** Why this transport cannot run here, or {@code null} if it can. */
    abstract String unavailableReason();

    /**
     * Epoll where it is available, NIO elsewhere. Never io_uring: it cannot splice, its copy was no faster than NIO's
     * within JMH's error in BENCHMARKS.md (io_uring run of 2026-11-26), and on Netty 4.2.12 it needs a workaround
     * (docs/DESIGN.md, "io_uring on Netty 4.2.12"); it runs only when asked for.
     */
    static Transport best() {
        return EPOLL.unavailableReason() == null ? EPOLL : NIO;
    }

    /** The name used on the command line and in the start-up line. */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
