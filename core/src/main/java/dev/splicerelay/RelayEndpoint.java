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

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * The relay's handler in one of its two pipelines: it hands that channel's events to the {@link Relay}. The relay
 * adds one to the peer's pipeline itself; on the inbound side it is the user's {@link SpliceRelayHandler}.
 *
 * <p>Reference counting: every message read is passed to the relay, which owns it from then on.
 */
class RelayEndpoint extends ChannelInboundHandlerAdapter {
    private final boolean inbound;
    // Set once on the event loop; volatile so that the live byte counts can be read from any thread.
    private volatile Relay relay;

    RelayEndpoint(boolean inbound) {
        this.inbound = inbound;
    }

    RelayEndpoint(Relay relay, boolean inbound) {
        this(inbound);
        this.relay = relay;
    }

    final void attach(Relay relay) {
        if (this.relay != null) {
            throw new IllegalStateException("a relay handler belongs to one relay and cannot be added twice");
        }
        this.relay = relay;
    }

    /** The relay, or {@code null} before the handler was added. */
    final Relay relay() {
        return relay;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        relay.onRead(inbound, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        relay.whileRunning(() -> relay.outgoing(inbound).onReadComplete());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            relay.whileRunning(() -> relay.outgoing(inbound).onInputShutdown());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        relay.whileRunning(() -> relay.outgoing(!inbound).onSinkWritabilityChanged());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Not passed on: the relay ends on it, resets both sides and reports it in its stats.
        relay.failed(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (relay != null) {
            relay.failIfRunning(() -> new IllegalStateException("the relay handler was removed from the "
                    + (inbound ? "inbound" : "peer") + " pipeline before the relay finished"));
        }
    }
}
