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
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A copy relay whose peer runs on another event loop hands the peer's events over to the relay's loop. Once that loop
 * has terminated (an application shutting its groups down one after the other), the peer's loop may still deliver a
 * read or a close: the relay must release the buffer and throw nothing into the peer's pipeline.
 */
@Timeout(30)
class TerminatedEventLoopTest {
    @Test
    void eventsHandedToATerminatedRelayLoopAreDroppedAndTheirBuffersReleased() throws Exception {
        EventLoopGroup relayLoop = RelayCase.NIO_COPY.newGroup(1);
        Channel inbound = new NioSocketChannel();
        Channel peer = new NioSocketChannel();
        relayLoop.register(inbound).sync();
        relayLoop.register(peer).sync();
        Relay relay = new Relay(inbound, peer.newSucceededFuture(), RelayConfig.defaults(),
                ImmediateEventExecutor.INSTANCE.newPromise());
        relayLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();

        ByteBuf read = Unpooled.buffer(1).writeByte(1);
        assertDoesNotThrow(() -> relay.onRead(false, read));
        assertEquals(0, read.refCnt(), "the buffer the relay could not forward");
        // Read complete, input shutdown, writability: what an endpoint hands over for a direction, dropped here.
        assertDoesNotThrow(() -> relay.whileRunning(() -> relay.outgoing(false).onReadComplete()));
        assertDoesNotThrow(() -> relay.failIfRunning(() -> new IllegalStateException("the endpoint was removed")));
        assertDoesNotThrow(() -> relay.failed(new IOException("the peer reset")));
    }
}
