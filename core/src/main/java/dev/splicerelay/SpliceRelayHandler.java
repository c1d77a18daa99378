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

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.util.Objects;

/**
 * Relays bytes both ways between the channel whose pipeline it is added to (the <em>inbound</em> channel) and a
 * <em>peer</em> channel, until both directions have reached end of stream, then closes both.
 *
 * <pre>{@code
 * serverBootstrap.childOption(ChannelOption.AUTO_READ, false).childHandler(new ChannelInitializer<Channel>() {
 *     protected void initChannel(Channel ch) {
 *         ch.pipeline().addLast(new SpliceRelayHandler(RelayBootstrap.connect(ch, backendAddress)));
 *     }
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
 *   <li>Add it as soon as the inbound channel is to be relayed, with the peer's connect future: bytes and end of
 *   stream that arrive while the peer connects are held (epoll reads a FIN's bytes even with {@code AUTO_READ}
 *   off). If the connect fails, the inbound channel is closed and the completion reports the failure. Bytes that
 *   reach this handler through the pipeline before the relay starts (a handshake's leftovers, the cumulation of a
 *   decoder removed right after adding this handler) are relayed first, in order.</li>
 *   <li>Set {@code ALLOW_HALF_CLOSURE} on the server's child channels, so that a client's FIN arriving before the
 *   relay starts does not close its channel; the relay sets it on both channels when it is added.</li>
 *   <li>To send the peer something of your own first (a PROXY protocol header, a protocol preamble), give it as the
 *   {@linkplain #SpliceRelayHandler(ChannelFuture, RelayConfig, ByteBuf) peer preface}: it reaches the peer before
 *   any byte of the inbound channel, held ones included, and the relay then splices or copies as usual.</li>
 *   <li>Spliced bytes bypass both pipelines: no handler sees them. TLS and other handlers that must see the bytes
 *   therefore mean copy mode, which {@link RelayMode#AUTO} chooses by itself.</li>
 * </ul>
 *
 * <p>Threading: everything runs on the inbound channel's event loop; a peer on another event loop hands its events
 * over to it. Reference counting: every buffer read from either channel is either written to the other channel,
 * which then owns it, or released.
 */
public final class SpliceRelayHandler extends RelayEndpoint {
    private final ChannelFuture peerConnect;
    private final RelayConfig config;
    private final Promise<RelayStats> completion;
    private volatile boolean aborted;
    private ByteBuf peerPreface;

    /**
     * Relays to the channel {@code peerConnect} connects, with {@link RelayConfig#defaults()}.
     *
     * @param peerConnect the peer's connect future, as for {@link #SpliceRelayHandler(ChannelFuture, RelayConfig)}
     */
    public SpliceRelayHandler(ChannelFuture peerConnect) {
        this(peerConnect, RelayConfig.defaults());
    }

    /**
     * Relays to the channel {@code peerConnect} connects.
     *
     * @param peerConnect the peer's connect (or any) future, from {@link RelayBootstrap#connect}: its channel must be
     *                    registered or registering with an event loop, with {@code AUTO_READ} off. A peer on another
     *                    event loop must not read before the relay holds it: connect it with
     *                    {@link RelayBootstrap#connect(Channel, io.netty.bootstrap.Bootstrap, java.net.SocketAddress)}
     * @param config      the relay's options
     */
    public SpliceRelayHandler(ChannelFuture peerConnect, RelayConfig config) {
        super(true);
        this.peerConnect = Objects.requireNonNull(peerConnect, "peerConnect");
        this.config = Objects.requireNonNull(config, "config");
        this.completion = (peerConnect instanceof PendingConnect ? ((PendingConnect) peerConnect).loop()
                : peerConnect.channel().eventLoop()).newPromise();
    }

    /**
     * Relays to the channel {@code peerConnect} connects, like {@link #SpliceRelayHandler(ChannelFuture, RelayConfig)},
     * and first writes {@code peerPreface} to the peer: once the peer is connected, before any byte read from the
     * inbound channel (also before those held while the peer connected, or handed over by a removed decoder). Then the
     * relay splices or copies as it would without it; a preface does not rule splicing out. It is not counted in
     * {@link #bytesInboundToPeer()} or {@link RelayStats#bytesInboundToPeer()}, which count bytes read from the
     * inbound channel.
     *
     * <p>Reference counting: this handler owns {@code peerPreface} from here on. Once added to a pipeline it writes it
     * to the peer, which then owns it, or releases it if the relay ends before it starts (a failed connect, for
     * example). A handler that is never added to a pipeline never releases it.
     *
     * @param peerConnect the peer's connect future, as for {@link #SpliceRelayHandler(ChannelFuture, RelayConfig)}
     * @param config      the relay's options
     * @param peerPreface the bytes to write to the peer first, for example a PROXY protocol header; may be empty
     */
    public SpliceRelayHandler(ChannelFuture peerConnect, RelayConfig config, ByteBuf peerPreface) {
        this(peerConnect, config);
        this.peerPreface = Objects.requireNonNull(peerPreface, "peerPreface");
    }

    /**
     * Relays to an already connected {@code peer}, with {@link RelayConfig#defaults()}.
     *
     * @param peer a connected channel with {@code AUTO_READ} off, on the inbound channel's event loop to splice
     */
    public SpliceRelayHandler(Channel peer) {
        this(peer, RelayConfig.defaults());
    }

    /**
     * Relays to an already connected {@code peer}.
     *
     * @param peer   a connected channel with {@code AUTO_READ} off, on the inbound channel's event loop to splice
     * @param config the relay's options
     */
    public SpliceRelayHandler(Channel peer, RelayConfig config) {
        this(Objects.requireNonNull(peer, "peer").newSucceededFuture(), config);
    }

    /**
     * {@return a future that completes when the relay has ended and closed both channels, with its
     * {@link RelayStats} (however it ended, a failed connect of the peer included); it fails only if the relay could
     * not start: {@link RelayMode#SPLICE} on channels that cannot splice}
     */
    public Future<RelayStats> completionFuture() {
        return completion;
    }

    /** {@return the bytes relayed so far from the inbound channel to the peer}; safe to call from any thread. */
    public long bytesInboundToPeer() {
        Relay relay = relay();
        return relay == null ? 0 : relay.bytesInboundToPeer();
    }

    /** {@return the bytes relayed so far from the peer to the inbound channel}; safe to call from any thread. */
    public long bytesPeerToInbound() {
        Relay relay = relay();
        return relay == null ? 0 : relay.bytesPeerToInbound();
    }

    /**
     * Ends the relay now and resets both sides ({@code SO_LINGER} 0; a Unix domain socket side, which has no reset, is
     * closed), so that neither can take what it got for a complete stream; the completion reports
     * {@link RelayOutcome#ERROR} with the cause "the relay was aborted". For an application that shuts down while
     * relays still run, for example. Any thread; it does nothing once the relay has ended. Called before the handler
     * is added, it ends the relay as soon as it is.
     */
    public void abort() {
        aborted = true;
        Relay relay = relay();
        if (relay != null) {
            relay.abort();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Relay relay = new Relay(ctx.channel(), peerConnect, config, completion);
        attach(relay);
        if (peerPreface != null) {
            relay.writeToPeerFirst(peerPreface);
            peerPreface = null;
        }
        relay.begin();
        // After attach: an abort() that found no relay yet set the flag first.
        if (aborted) {
            relay.abort();
        }
    }
}
