package dev.splicerelay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.Objects;

/**
 * Relays bytes both ways between the channel whose pipeline it is added to (the <em>inbound</em> channel) and a
 * connected <em>peer</em> channel, until both directions have reached end of stream, then closes both.
 *
 * <pre>{@code
 * RelayBootstrap.connect(inbound, backendAddress).addListener((ChannelFuture f) -> {
 *     if (f.isSuccess()) inbound.pipeline().addLast(new SpliceRelayHandler(f.channel()));
 *     else inbound.close();
 * });
 * }</pre>
 *
 * <p>On the epoll transport, with both channels on one event loop and no other handler in either pipeline, the bytes
 * move with kernel {@code splice(2)} and never enter the JVM; otherwise they are forwarded as
 * {@link io.netty.buffer.ByteBuf}s with backpressure (see {@link RelayMode}). Either way the relay is byte-exact:
 * <ul>
 *   <li>a FIN from one side reaches the other only after every byte before it, and the other direction keeps
 *   flowing to its own end (half-close);</li>
 *   <li>a reset or error on one side resets the other, and the {@link #completionFuture()} says so;</li>
 *   <li>a slow reader holds at most the pipe (splice) or the peer's write-buffer high-water mark plus one read
 *   (copy) in memory;</li>
 *   <li>the relay only reacts to readiness events, so an idle or half-closed relay uses no CPU.</li>
 * </ul>
 *
 * <p>Please note:
 * <ul>
 *   <li>Add it once the peer is connected, e.g. in the connect listener. Bytes that reach this handler through the
 *   pipeline before the relay starts (a handshake's leftovers, the cumulation of a decoder removed right after
 *   adding this handler) are relayed first, in order.</li>
 *   <li>Set {@code ALLOW_HALF_CLOSURE} on the server's child channels, so that a client's FIN arriving before the
 *   relay starts does not close its channel; the relay sets it on both channels when it is added.</li>
 *   <li>Spliced bytes bypass both pipelines: no handler sees them. TLS and other handlers that must see the bytes
 *   therefore mean copy mode, which {@link RelayMode#AUTO} chooses by itself.</li>
 * </ul>
 *
 * <p>Threading: everything runs on the inbound channel's event loop; a peer on another event loop hands its events
 * over to it. Reference counting: every buffer read from either channel is either written to the other channel,
 * which then owns it, or released.
 */
public final class SpliceRelayHandler extends RelayEndpoint {
    private final Channel peer;
    private final RelayConfig config;
    private final Promise<RelayStats> completion;

    /** Relays to {@code peer} with {@link RelayConfig#defaults()}. */
    public SpliceRelayHandler(Channel peer) {
        this(peer, RelayConfig.defaults());
    }

    /**
     * @param peer   the other channel: connected, registered, with {@code AUTO_READ} off (see {@link RelayBootstrap})
     * @param config the relay's options
     */
    public SpliceRelayHandler(Channel peer, RelayConfig config) {
        super(true);
        this.peer = Objects.requireNonNull(peer, "peer");
        this.config = Objects.requireNonNull(config, "config");
        if (!peer.isRegistered()) {
            throw new IllegalArgumentException("peer channel is not registered with an event loop: " + peer);
        }
        this.completion = peer.eventLoop().newPromise();
    }

    /**
     * Completes when the relay has ended, with its {@link RelayStats} (however it ended); fails only if the relay
     * could not start, for example {@link RelayMode#SPLICE} on channels that cannot splice.
     */
    public Future<RelayStats> completionFuture() {
        return completion;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Relay relay = new Relay(ctx.channel(), peer, config, completion);
        attach(relay);
        relay.begin();
    }
}
