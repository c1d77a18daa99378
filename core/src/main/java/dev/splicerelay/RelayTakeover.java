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
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;

/**
 * How a {@link Relay} gets hold of its two channels: the inbound channel at once, from its handler's
 * {@code handlerAdded}, so that bytes and end of stream that arrive while the peer is still connecting are held for
 * it; the peer once its connect has completed; then the relay starts, one task later, so that a caller who added the
 * relay to a connected peer can still remove a decoder, whose leftover bytes then reach the relay first.
 *
 * <p>Taking a channel over turns {@code AUTO_READ} off and {@code ALLOW_HALF_CLOSURE} on, and keeps its fd in epoll
 * ({@link EpollEmptyInterestWorkaround}). Threading: the relay's event loop, except for the peer's connect listener,
 * which runs where the connect completes (the peer's own loop).
 */
final class RelayTakeover {
    private final Relay relay;
    private final Channel inbound;
    private final Channel peer;
    private final ChannelFuture peerConnect;
    private ChannelFuture inboundTakenOver;

    RelayTakeover(Relay relay, Channel inbound, ChannelFuture peerConnect) {
        this.relay = relay;
        this.inbound = inbound;
        this.peer = peerConnect.channel();
        this.peerConnect = peerConnect;
    }

    void begin() {
        inboundTakenOver = takeOver(inbound);
        watchClose(inbound, "inbound");
        boolean connecting = !peerConnect.isDone();
        peerConnect.addListener((ChannelFutureListener) connect -> peerConnected(connect, connecting));
    }

    private void peerConnected(ChannelFuture connect, boolean connectedDuringRelay) {
        // Checked at once, on the thread that completed the connect: nothing can have been read yet.
        boolean inputShut = connect.isSuccess() && Channels.isInputShutdown(peer);
        boolean inputShutBeforeConnect = connectedDuringRelay && inputShut;
        if (connect.isSuccess()) {
            // At once too: no byte the peer reads may reach its pipeline first.
            peer.pipeline().addLast(new RelayEndpoint(relay, false));
            if (inputShut && !connectedDuringRelay) {
                // An already connected peer's end of stream, read before its endpoint was added, reaches the relay
                // like the events after it: Direction.sourceEnded() does not ask a channel on another loop.
                relay.whileRunning(() -> relay.outgoing(false).onInputShutdown());
            }
        }
        if (inbound.eventLoop().inEventLoop()) {
            takeOverPeer(connect, inputShutBeforeConnect);
        } else {
            relay.onLoop(() -> takeOverPeer(connect, inputShutBeforeConnect));
        }
    }

    /**
     * A peer whose input was shut down before its connect completed can only have had a stale epoll event: Netty
     * looks channels up by fd number, so an event fetched for a channel that closed during the same
     * {@code epoll_wait} batch reaches a channel that got the freed number later in that batch, and a stale
     * {@code EPOLLRDHUP} on a channel still connecting shuts its input down. Its socket would then report end of
     * stream at once; relaying that would drop everything the target sends, so the relay fails instead.
     */
    private void takeOverPeer(ChannelFuture connect, boolean inputShutBeforeConnect) {
        if (!connect.isSuccess()) {
            relay.failed(connect.cause());
        } else if (inputShutBeforeConnect) {
            relay.failed(new IOException("the peer channel's input was shut down before its connect completed (a stale "
                    + "epoll event for a reused fd number): its end of stream cannot be trusted"));
        } else if (!relay.hasEnded()) {
            ChannelFuture peerTakenOver = takeOver(peer);
            watchClose(peer, "peer");
            inboundTakenOver.addListener((ChannelFutureListener) in -> peerTakenOver.addListener(
                    (ChannelFutureListener) out -> {
                        if (!in.isSuccess() || !out.isSuccess()) {
                            relay.failed(in.isSuccess() ? out.cause() : in.cause());
                        } else {
                            relay.onLoop(relay::start);
                        }
                    }));
        }
    }

    /**
     * Ends the relay as soon as {@code channel} closes: from its close future, which Netty completes inside
     * {@code close()}, not from {@code channelInactive}, which comes a task later. Netty's splice writes into a
     * pipe whose fd number the sink's close frees at once; the source must be closed before any other task can run
     * and reuse that number, or it would splice into another connection's pipe.
     */
    private void watchClose(Channel channel, String side) {
        channel.closeFuture().addListener(f -> {
            if (inbound.eventLoop().inEventLoop() && relay.stopsAtClose()) {
                relay.onClosed(side);
                return;
            }
            // A write that meets a reset makes Netty close the channel, complete this future, and only then fail the
            // write with the reset, in the same call. Reported a task later on the channel's own loop, the close
            // reaches the relay after the reset, the cause to report. (A splice must stop at once, above.)
            try {
                channel.eventLoop().execute(() -> relay.onClosed(side));
            } catch (RejectedExecutionException terminated) {
                relay.onClosed(side);
            }
        });
    }

    /** Takes {@code channel} from its application; the future completes when the relay may use it. */
    private static ChannelFuture takeOver(Channel channel) {
        channel.config().setAutoRead(false);
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        return EpollEmptyInterestWorkaround.apply(channel);
    }
}
