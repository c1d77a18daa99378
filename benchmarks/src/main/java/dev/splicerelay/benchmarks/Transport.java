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
