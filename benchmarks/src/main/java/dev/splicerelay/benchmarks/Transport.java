package dev.splicerelay.benchmarks;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.Locale;

/**
 * The Netty transports a relay or echo server can run on.
 */
public enum Transport {
    NIO,
    EPOLL;

    /** A new group of {@code threads} event loops on this transport; fails at once if epoll is missing. */
    public EventLoopGroup newGroup(int threads) {
        if (this == EPOLL) {
            Epoll.ensureAvailability();
            return new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        }
        return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Epoll where it is available, NIO otherwise: the transport of the helpers that are not being measured. */
    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** {@code "epoll"} or {@code "nio"}, case-insensitive. */
    public static Transport parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
