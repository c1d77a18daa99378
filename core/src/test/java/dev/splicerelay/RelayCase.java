package dev.splicerelay;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.Arrays;

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

    /**
     * Skips the test where the transport is missing, for example epoll off Linux, or where the case is not among
     * those {@code -Drelay.cases=EPOLL_SPLICE,...} selects (all by default), so a long test can run for one case.
     */
    void assumeAvailable() {
        String selected = System.getProperty("relay.cases", "");
        assumeTrue(selected.isEmpty() || Arrays.asList(selected.split(",")).contains(name()),
                () -> name() + " is not in -Drelay.cases=" + selected);
        assumeTrue(!epoll || Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
    }

    /**
     * The transport's event loop group. These constructors are deprecated in Netty 4.2 in favour of
     * {@code MultiThreadIoEventLoopGroup}, which Netty 4.1 lacks; the same tests run on both lines.
     */
    @SuppressWarnings("deprecation")
    EventLoopGroup newGroup(int threads) {
        return epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
