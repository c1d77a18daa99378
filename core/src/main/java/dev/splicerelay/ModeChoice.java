package dev.splicerelay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.epoll.AbstractEpollStreamChannel;

import java.util.Map;

/**
 * The mode a relay runs in, and why: decided once, when the relay starts.
 */
final class ModeChoice {
    private final RelayMode mode;
    private final String reason;

    private ModeChoice(RelayMode mode, String reason) {
        this.mode = mode;
        this.reason = reason;
    }

    RelayMode mode() {
        return mode;
    }

    String reason() {
        return reason;
    }

    /**
     * @throws IllegalStateException if {@code requested} is {@link RelayMode#SPLICE} and the channels cannot splice
     */
    static ModeChoice choose(Channel inbound, Channel peer, RelayMode requested) {
        if (requested == RelayMode.COPY) {
            return new ModeChoice(RelayMode.COPY, "COPY was requested");
        }
        String obstacle = spliceObstacle(inbound, peer);
        if (obstacle == null) {
            return new ModeChoice(RelayMode.SPLICE,
                    "both channels are epoll stream channels on one event loop and no other handler sees the bytes");
        }
        if (requested == RelayMode.SPLICE) {
            throw new IllegalStateException("SPLICE mode cannot be used: " + obstacle);
        }
        return new ModeChoice(RelayMode.COPY, "cannot splice: " + obstacle);
    }

    /** What keeps the two channels from splicing, or {@code null} if nothing does. */
    static String spliceObstacle(Channel inbound, Channel peer) {
        String unavailable = NettySplice.unavailableReason();
        if (unavailable != null) {
            return unavailable;
        }
        if (!(inbound instanceof AbstractEpollStreamChannel)) {
            return "the inbound channel is a " + inbound.getClass().getSimpleName() + ", not an epoll stream channel";
        }
        if (!(peer instanceof AbstractEpollStreamChannel)) {
            return "the peer channel is a " + peer.getClass().getSimpleName() + ", not an epoll stream channel";
        }
        if (inbound.eventLoop() != peer.eventLoop()) {
            return "the channels are on different event loops (connect the peer with RelayBootstrap)";
        }
        String handler = otherHandler(inbound, "inbound");
        return handler != null ? handler : otherHandler(peer, "peer");
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
