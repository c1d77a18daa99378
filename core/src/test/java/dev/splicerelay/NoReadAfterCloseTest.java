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

import dev.splicerelay.testing.Streams;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay never reads a channel after closing it. The kernel hands a freed fd number to the next socket or pipe that
 * any thread opens, so a read on a closed channel's number steals another connection's bytes, or blocks an event
 * loop forever in {@code recv} on a blocking socket. A read on a number nobody reused yet fails with "Bad file
 * descriptor", and Netty reports that into the closed channel's pipeline, where this test looks for it.
 *
 * <p>Netty 4.2.12's splice read loop goes on reading the source after a failed splice, so a relay that closed the
 * source from the failed splice's listener made that read in almost every client reset mid-splice.
 */
@Timeout(60)
class NoReadAfterCloseTest {
    private static final int RESETS = 20;

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void clientResetsMidStreamNeverLeadToAReadOfTheClosedChannel(RelayCase relayCase) throws Exception {
        List<Throwable> afterClose = new CopyOnWriteArrayList<>();
        try (RelayFixture fixture = new RelayFixture(relayCase)) {
            for (int i = 0; i < RESETS; i++) {
                try (Socket client = fixture.connect(); Socket backend = fixture.acceptBackend()) {
                    RelayFixture.Relayed relay = fixture.nextRelay();
                    Future<Long> drained = fixture.async(() -> Streams.readUntilEnd(backend));
                    long seed = i;
                    Future<Streams.Transfer> sent = fixture.async(() -> Streams.send(client, 1 << 20, seed, false));
                    awaitBytesMoving(relay.handler());
                    // Only now: a handler present when the relay chooses its mode would rule splicing out.
                    relay.inbound().pipeline().addFirst(new ExceptionsAfterClose(afterClose));
                    sent.get(5, TimeUnit.SECONDS);
                    client.setSoLinger(true, 0);
                    client.close();
                    relay.completion().get(5, TimeUnit.SECONDS);
                    drained.get(5, TimeUnit.SECONDS);
                }
            }
        }
        assertEquals(List.of(), afterClose, "exceptions from reads of closed relay channels");
    }

    private static void awaitBytesMoving(SpliceRelayHandler handler) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (handler.bytesInboundToPeer() == 0) {
            assertTrue(System.nanoTime() < deadline, "no byte relayed within 5 s");
            Thread.sleep(1);
        }
    }

    /** Records every exception that reaches a pipeline whose channel is already closed. */
    private static final class ExceptionsAfterClose extends ChannelInboundHandlerAdapter {
        private final List<Throwable> afterClose;

        ExceptionsAfterClose(List<Throwable> afterClose) {
            this.afterClose = afterClose;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!ctx.channel().isOpen()) {
                afterClose.add(cause);
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}
