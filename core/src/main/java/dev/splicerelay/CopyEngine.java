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
