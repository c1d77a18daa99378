package dev.splicerelay;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The transport, mode and splice engine combinations every relay guarantee is tested in: {@link #EPOLL_SPLICE} is
 * Netty's {@code spliceTo}, {@link #EPOLL_SPLICE_OWN} splice-relay's own {@link SpliceEngine#IO_HANDLE} engine,
 * {@link #IOURING_COPY} Netty's io_uring transport, which can only copy.
 */
enum RelayCase {
    NIO_COPY(false, RelayMode.COPY, SpliceEngine.AUTO),
    EPOLL_COPY(true, RelayMode.COPY, SpliceEngine.AUTO),
    EPOLL_SPLICE(true, RelayMode.SPLICE, SpliceEngine.SPLICE_TO),
    EPOLL_SPLICE_OWN(true, RelayMode.SPLICE, SpliceEngine.IO_HANDLE),
    IOURING_COPY(false, RelayMode.COPY, SpliceEngine.AUTO);

    private final boolean epoll;
    private final RelayMode mode;
    private final SpliceEngine engine;

    RelayCase(boolean epoll, RelayMode mode, SpliceEngine engine) {
        this.epoll = epoll;
        this.mode = mode;
        this.engine = engine;
    }

    RelayMode mode() {
        return mode;
    }

    /** A configuration builder with the case's mode and splice engine. */
    RelayConfig.Builder config() {
        return RelayConfig.builder().mode(mode).spliceEngine(engine);
    }

    /** Whether an idle relay of this case holds pipes: only Netty's spliceTo keeps them for the relay's life. */
    boolean holdsPipesWhileIdle() {
        return this == EPOLL_SPLICE;
    }

    /** Asserts that {@code stats} come from a relay that ran in this case's mode and, if it spliced, engine. */
    void assertRanIn(RelayStats stats) {
        assertEquals(mode, stats.mode(), stats::toString);
        if (mode == RelayMode.SPLICE) {
            assertEquals(Optional.of(engine), stats.spliceEngine(), stats::toString);
            assertTrue(stats.modeReason().contains("engine " + engine), stats::toString);
        }
    }

    boolean epoll() {
        return epoll;
    }

    /**
     * Skips the test where the transport is missing, for example epoll off Linux, or the engine, for example the
     * own engine on Netty 4.1, or where the case is not among those {@code -Drelay.cases=EPOLL_SPLICE,...} selects
     * (all by default), so a long test can run for one case.
     */
    void assumeAvailable() {
        String selected = System.getProperty("relay.cases", "");
        assumeTrue(selected.isEmpty() || Arrays.asList(selected.split(",")).contains(name()),
                () -> name() + " is not in -Drelay.cases=" + selected);
        assumeTrue(!epoll || Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
        assumeTrue(this != IOURING_COPY || IoUringTransport.unavailableReason() == null,
                IoUringTransport::unavailableReason);
        assumeTrue(engine != SpliceEngine.IO_HANDLE || EpollIo.unavailableReason() == null,
                EpollIo::unavailableReason);
    }

    /**
     * The transport's event loop group. These constructors are deprecated in Netty 4.2 in favour of
     * {@code MultiThreadIoEventLoopGroup}, which Netty 4.1 lacks; the same tests run on both lines.
     */
    @SuppressWarnings("deprecation")
    EventLoopGroup newGroup(int threads) {
        if (this == IOURING_COPY) {
            return IoUringTransport.newGroup(threads);
        }
        return epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }

    Class<? extends ServerChannel> serverChannelClass() {
        if (this == IOURING_COPY) {
            return IoUringTransport.serverChannelClass();
        }
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
