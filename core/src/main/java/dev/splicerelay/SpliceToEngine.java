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
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.epoll.AbstractEpollStreamChannel;

/**
 * The {@link SpliceEngine#SPLICE_TO} engine: each direction runs Netty's {@code spliceTo} with a {@link SplicePump},
 * once both channels are level-triggered (which Netty 4.1 needs, see {@link NettySplice#levelTriggered}). The pipes
 * are Netty's and their bytes are counted in the sink's outbound buffer. Threading: the relay's event loop.
 */
final class SpliceToEngine implements Engine {
    private final Direction inboundToPeer;
    private final Direction peerToInbound;
    private boolean stopped;

    SpliceToEngine(Direction inboundToPeer, Direction peerToInbound) {
        this.inboundToPeer = inboundToPeer;
        this.peerToInbound = peerToInbound;
    }

    @Override
    public void start() {
        AbstractEpollStreamChannel inbound = (AbstractEpollStreamChannel) inboundToPeer.source();
        AbstractEpollStreamChannel peer = (AbstractEpollStreamChannel) peerToInbound.source();
        NettySplice.levelTriggered(inbound).addListener((ChannelFutureListener) in ->
                NettySplice.levelTriggered(peer).addListener((ChannelFutureListener) out -> {
                    if (!in.isSuccess() || !out.isSuccess()) {
                        inboundToPeer.fail(in.isSuccess() ? out.cause() : in.cause());
                    } else if (!stopped) {
                        inboundToPeer.start(new SplicePump(inboundToPeer));
                        peerToInbound.start(new SplicePump(peerToInbound));
                    }
                }));
    }

    @Override
    public long inFlightTo(Channel sink) {
        return 0;
    }

    @Override
    public boolean stopsAtClose() {
        return true;
    }

    @Override
    public void stop() {
        stopped = true;
    }
}
