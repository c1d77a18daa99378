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
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.AbstractEpollStreamChannel;

import java.util.Map;

/**
 * The mode a relay runs in, the splice engine if it splices, and why: decided once, when the relay starts.
 */
final class ModeChoice {
    private static final String CHANNELS_CAN_SPLICE =
            "both channels are epoll stream channels on one event loop and no other handler sees the bytes";
    private static final String IO_URING_PACKAGE = "io.netty.channel.uring.";

    /** What the stats of a relay that ended before it started report. */
    static final ModeChoice NOT_STARTED = new ModeChoice(RelayMode.COPY, null, "the relay ended before it started");

    private final RelayMode mode;
    private final SpliceEngine engine;
    private final String reason;

    private ModeChoice(RelayMode mode, SpliceEngine engine, String reason) {
        this.mode = mode;
        this.engine = engine;
        this.reason = reason;
    }

    RelayMode mode() {
        return mode;
    }

    /** {@link SpliceEngine#IO_HANDLE} or {@link SpliceEngine#SPLICE_TO} when splicing, {@code null} when copying. */
    SpliceEngine engine() {
        return engine;
    }

    String reason() {
        return reason;
    }

    /** The engine that moves the relay's bytes in this mode. */
    Engine newEngine(Direction inboundToPeer, Direction peerToInbound) {
        if (mode == RelayMode.COPY) {
            return new CopyEngine(inboundToPeer, peerToInbound);
        }
        return engine == SpliceEngine.IO_HANDLE ? new PipeSplicer(inboundToPeer, peerToInbound)
                : new SpliceToEngine(inboundToPeer, peerToInbound);
    }

    /**
     * The choice of a {@link SpliceRelayServer}'s relays: they copy if {@code requested} is {@link RelayMode#COPY},
     * and otherwise splice with the own engine, which the server needs to run at all.
     */
    static ModeChoice forServer(RelayMode requested) {
        if (requested == RelayMode.COPY) {
            return new ModeChoice(RelayMode.COPY, null, "COPY was requested");
        }
        return new ModeChoice(RelayMode.SPLICE, SpliceEngine.IO_HANDLE, "a SpliceRelayServer splices its own "
                + "sockets; engine IO_HANDLE (splice-relay's own, on Netty's I/O registration API; "
                + PipeSizer.mechanism() + ")");
    }

    /**
     * @throws IllegalStateException if {@code requested} is {@link RelayMode#SPLICE} and the channels cannot splice
     *                               with {@code engine}
     */
    static ModeChoice choose(Channel inbound, Channel peer, RelayMode requested, SpliceEngine engine) {
        if (requested == RelayMode.COPY) {
            return new ModeChoice(RelayMode.COPY, null, "COPY was requested");
        }
        String obstacle = spliceObstacle(inbound, peer);
        if (obstacle == null) {
            String ownObstacle = engine == SpliceEngine.SPLICE_TO ? "SPLICE_TO was requested"
                    : EpollIo.obstacle(inbound.eventLoop());
            String nettyObstacle = NettySplice.unavailableReason();
            if (ownObstacle == null) {
                return new ModeChoice(RelayMode.SPLICE, SpliceEngine.IO_HANDLE, CHANNELS_CAN_SPLICE
                        + "; engine IO_HANDLE (splice-relay's own, on Netty's I/O registration API; "
                        + PipeSizer.mechanism() + ")"
                        + (engine == SpliceEngine.IO_HANDLE ? ", as requested" : ""));
            }
            if (engine == SpliceEngine.IO_HANDLE) {
                obstacle = "the IO_HANDLE engine cannot run: " + ownObstacle;
            } else if (nettyObstacle == null) {
                return new ModeChoice(RelayMode.SPLICE, SpliceEngine.SPLICE_TO, CHANNELS_CAN_SPLICE
                        + "; engine SPLICE_TO (Netty's spliceTo), because " + ownObstacle);
            } else {
                obstacle = engine == SpliceEngine.SPLICE_TO ? nettyObstacle
                        : "neither splice engine can run: " + ownObstacle + "; " + nettyObstacle;
            }
        }
        if (requested == RelayMode.SPLICE) {
            throw new IllegalStateException("SPLICE mode cannot be used: " + obstacle);
        }
        return new ModeChoice(RelayMode.COPY, null, "cannot splice: " + obstacle);
    }

    /** What keeps the two channels from splicing with either engine, or {@code null} if nothing does. */
    static String spliceObstacle(Channel inbound, Channel peer) {
        if (!(inbound instanceof AbstractEpollStreamChannel)) {
            return notEpoll(inbound, "inbound");
        }
        if (!(peer instanceof AbstractEpollStreamChannel)) {
            return notEpoll(peer, "peer");
        }
        if (inbound.eventLoop() != peer.eventLoop()) {
            return "the channels are on different event loops (connect the peer with RelayBootstrap)";
        }
        String obstacle = lingers(inbound, "inbound");
        if (obstacle == null) {
            obstacle = lingers(peer, "peer");
        }
        if (obstacle == null) {
            obstacle = otherHandler(inbound, "inbound");
        }
        return obstacle != null ? obstacle : otherHandler(peer, "peer");
    }

    /**
     * Why a channel with {@code SO_LINGER} above 0 cannot splice, or {@code null}: Netty closes such a channel on
     * {@code GlobalEventExecutor}, so its socket (and the pipe {@code spliceTo} gives it) closes on that thread while
     * the event loop may still splice with their numbers, which anyone may be given in between
     * ({@code LingeringChannelTest}). A relay never closes a channel with that setting itself, but its user or Netty
     * (after an error) may.
     */
    private static String lingers(Channel channel, String side) {
        Integer linger = channel.config().getOption(ChannelOption.SO_LINGER);
        return linger == null || linger <= 0 ? null : "SO_LINGER " + linger + " on the " + side
                + " channel makes Netty close it on another thread, which frees its fd numbers while the event loop "
                + "may still splice with them";
    }

    private static String notEpoll(Channel channel, String side) {
        String obstacle = "the " + side + " channel is a " + channel.getClass().getSimpleName()
                + ", not an epoll stream channel";
        // By package name: core must not depend on the io_uring transport, which Netty 4.1 lacks.
        return channel.getClass().getName().startsWith(IO_URING_PACKAGE)
                ? obstacle + " (Netty's io_uring transport cannot splice one socket to another: netty/netty#15907)"
                : obstacle;
    }

    private static String otherHandler(Channel channel, String side) {
        for (Map.Entry<String, ChannelHandler> entry : channel.pipeline()) {
            if (!(entry.getValue() instanceof RelayEndpoint)) {
                return "handler '" + entry.getKey() + "' (" + entry.getValue().getClass().getSimpleName()
                        + ") in the " + side + " pipeline must see the bytes, and spliced bytes bypass the pipeline";
            }
        }
        return null;
    }
}
