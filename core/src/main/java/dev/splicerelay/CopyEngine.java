package dev.splicerelay;

import io.netty.channel.Channel;

/**
 * Copy mode: each direction forwards {@link io.netty.buffer.ByteBuf}s through the pipelines with a {@link CopyPump},
 * on any transport and across event loops. Threading: the relay's event loop.
 */
final class CopyEngine implements Engine {
    private final Direction inboundToPeer;
    private final Direction peerToInbound;

    CopyEngine(Direction inboundToPeer, Direction peerToInbound) {
        this.inboundToPeer = inboundToPeer;
        this.peerToInbound = peerToInbound;
    }

    @Override
    public void start() {
        inboundToPeer.start(new CopyPump(inboundToPeer));
        peerToInbound.start(new CopyPump(peerToInbound));
    }

    @Override
    public long inFlightTo(Channel sink) {
        return 0;
    }

    @Override
    public boolean stopsAtClose() {
        return false;
    }

    @Override
    public void stop() {
        // The pumps only ask for reads; closing the channels ends them.
    }
}
