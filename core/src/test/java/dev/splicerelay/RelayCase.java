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

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The transport, mode and splice engine combinations every relay guarantee is tested in: {@link #EPOLL_SPLICE} is
 * Netty's {@code spliceTo}, {@link #EPOLL_SPLICE_OWN} splice-relay's own {@link SpliceEngine#IO_HANDLE} engine,
 * {@link #IOURING_COPY} Netty's io_uring transport, which can only copy.
 *
 * <p>In the mixed pairs {@link #EPOLL_TO_NIO_COPY} and {@link #EPOLL_TWO_LOOPS}, the inbound channel is epoll's and
 * the peer is connected on an event loop group of its own, of the {@link #peerTransport()}, as a proxy with
 * separate client and backend groups would: the relay runs in {@link RelayMode#AUTO}, must copy, and hands
 * the peer's events over to the inbound channel's loop. They run on TCP only ({@link #onUnixPairs()}): a NIO peer
 * cannot connect to Netty's {@code DomainSocketAddress}.
 */
enum RelayCase {
    NIO_COPY(false, RelayMode.COPY, SpliceEngine.AUTO),
    EPOLL_COPY(true, RelayMode.COPY, SpliceEngine.AUTO),
    EPOLL_SPLICE(true, RelayMode.SPLICE, SpliceEngine.SPLICE_TO),
    EPOLL_SPLICE_OWN(true, RelayMode.SPLICE, SpliceEngine.IO_HANDLE),
    IOURING_COPY(false, RelayMode.COPY, SpliceEngine.AUTO),
    /** epoll inbound channels, NIO peers on a NIO group. */
    EPOLL_TO_NIO_COPY(NIO_COPY, "the peer channel is a NioSocketChannel, not an epoll stream channel"),
    /** epoll inbound channels, epoll peers on the loops of another epoll group. */
    EPOLL_TWO_LOOPS(EPOLL_COPY, "the channels are on different event loops");

    private final boolean epoll;
    private final RelayMode mode;
    private final SpliceEngine engine;
    /** The transport of a mixed pair's peer, on a group of its own; {@code null}: RelayBootstrap's, on one loop. */
    private final RelayCase peerTransport;
    /** Why a mixed pair's AUTO relay copies, as its {@link RelayStats#modeReason()} says. */
    private final String copyReason;

    RelayCase(boolean epoll, RelayMode mode, SpliceEngine engine) {
        this(epoll, mode, engine, null, null);
    }

    /** A mixed pair: epoll inbound channels, peers on {@code peerTransport}; AUTO copies for {@code copyReason}. */
    RelayCase(RelayCase peerTransport, String copyReason) {
        this(true, RelayMode.COPY, SpliceEngine.AUTO, peerTransport, copyReason);
    }

    RelayCase(boolean epoll, RelayMode mode, SpliceEngine engine, RelayCase peerTransport, String copyReason) {
        this.epoll = epoll;
        this.mode = mode;
        this.engine = engine;
        this.peerTransport = peerTransport;
        this.copyReason = copyReason;
    }

    /** The mode the case's relays run in. */
    RelayMode mode() {
        return mode;
    }

    /**
     * A configuration builder with the case's mode and splice engine; a mixed pair asks for AUTO, which must find by
     * itself that it cannot splice.
     */
    RelayConfig.Builder config() {
        return RelayConfig.builder().mode(peerTransport == null ? mode : RelayMode.AUTO).spliceEngine(engine);
    }

    /**
     * The transport whose event loop group of its own the case's peers are connected on, or {@code null} if they are
     * connected with {@link RelayBootstrap} on the inbound channel's event loop.
     */
    RelayCase peerTransport() {
        return peerTransport;
    }

    /** Whether the case also runs on the {@link SocketPair}s with a Unix domain socket: epoll's, on one loop. */
    boolean onUnixPairs() {
        return epoll && peerTransport == null;
    }

    /** Whether an idle relay of this case holds pipes: only Netty's spliceTo keeps them for the relay's life. */
    boolean holdsPipesWhileIdle() {
        return this == EPOLL_SPLICE;
    }

    /**
     * Asserts that {@code stats} come from a relay that completed in this case's mode ({@link #assertRanIn}) after
     * relaying exactly these byte counts.
     */
    void assertCompleted(RelayStats stats, long inboundToPeer, long peerToInbound) {
        assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
        assertRanIn(stats);
        assertEquals(inboundToPeer, stats.bytesInboundToPeer(), stats::toString);
        assertEquals(peerToInbound, stats.bytesPeerToInbound(), stats::toString);
    }

    /** Asserts that {@code stats} come from a relay that ran in this case's mode and, if it spliced, engine. */
    void assertRanIn(RelayStats stats) {
        assertEquals(mode, stats.mode(), stats::toString);
        if (mode == RelayMode.SPLICE) {
            assertEquals(Optional.of(engine), stats.spliceEngine(), stats::toString);
            assertTrue(stats.modeReason().contains("engine " + engine), stats::toString);
        }
        if (copyReason != null) {
            assertEquals(Optional.empty(), stats.spliceEngine(), stats::toString);
            assertTrue(stats.modeReason().contains("cannot splice: " + copyReason), stats::toString);
        }
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
        assumeTransportAvailable();
        if (peerTransport != null) {
            peerTransport.assumeTransportAvailable();
        }
    }

    private void assumeTransportAvailable() {
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

    Class<? extends Channel> socketChannelClass() {
        if (this == IOURING_COPY) {
            return IoUringTransport.socketChannelClass();
        }
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
