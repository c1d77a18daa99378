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
import dev.splicerelay.testing.Streams.Transfer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LineBasedFrameDecoder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A relay that starts after a handshake relays first, in order, the bytes the handshake's decoder still held, then
 * splices or copies the rest; a removed decoder's cumulation reaches the relay handler added before the removal.
 */
@Timeout(30)
class HandshakeHandOffTest {
    private static final long PAYLOAD = 4L << 20;

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void bytesSentRightAfterTheHandshakeReachThePeerFirstAndInOrder(RelayCase relayCase) throws Exception {
        RelayConfig config = relayCase.config().build();
        try (RelayFixture fixture = new RelayFixture(relayCase, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("decoder", new LineBasedFrameDecoder(64));
                ch.pipeline().addLast("handshake", new HelloHandshake(f, config));
                ch.read();
            }
        });
             Socket client = fixture.connect()) {
            byte[] hello = "HELLO\n".getBytes(StandardCharsets.US_ASCII);
            Future<Transfer> sent = fixture.async(() -> Streams.send(client, hello, PAYLOAD, 1, true));
            try (Socket backend = fixture.acceptBackend()) {
                Future<Transfer> received = fixture.async(() -> Streams.receive(backend));
                Transfer answer = Streams.send(backend, PAYLOAD, 2, true);
                assertEquals(answer, Streams.receive(client), "backend -> client");
                assertEquals(sent.get(), received.get(), "client -> backend after the handshake");
            }
            RelayStats stats = fixture.nextStats();
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            relayCase.assertRanIn(stats);
            assertEquals(PAYLOAD, stats.bytesInboundToPeer(), stats::toString);
        }
    }

    /** Expects one line "HELLO", then hands the channel to the relay and removes itself and the decoder. */
    private static final class HelloHandshake extends ChannelInboundHandlerAdapter {
        private final RelayFixture fixture;
        private final RelayConfig config;

        HelloHandshake(RelayFixture fixture, RelayConfig config) {
            this.fixture = fixture;
            this.config = config;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf line = (ByteBuf) msg;
            try {
                assertEquals("HELLO", line.toString(StandardCharsets.US_ASCII));
            } finally {
                line.release();
            }
            fixture.relay(ctx.channel(), config);
            ctx.pipeline().remove(this);
            ctx.pipeline().remove("decoder");
        }
    }
}
