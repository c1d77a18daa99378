package dev.splicerelay;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The transport and mode combinations every relay guarantee is tested in. */
enum RelayCase {
    NIO_COPY(false, RelayMode.COPY),
    EPOLL_COPY(true, RelayMode.COPY),
    EPOLL_SPLICE(true, RelayMode.SPLICE);

    private final boolean epoll;
    private final RelayMode mode;

    RelayCase(boolean epoll, RelayMode mode) {
        this.epoll = epoll;
        this.mode = mode;
    }

    RelayMode mode() {
        return mode;
    }

    boolean epoll() {
        return epoll;
    }

    /** Skips the test where the transport is missing, for example epoll off Linux. */
    void assumeAvailable() {
        assumeTrue(!epoll || Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
    }

    EventLoopGroup newGroup(int threads) {
        Supplier<IoHandlerFactory> factory = epoll ? EpollIoHandler::newFactory : NioIoHandler::newFactory;
        return new MultiThreadIoEventLoopGroup(threads, factory.get());
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
