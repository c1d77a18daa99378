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

import dev.splicerelay.testing.RefusingPort;
import dev.splicerelay.testing.Streams;
import dev.splicerelay.testing.Streams.Transfer;
import dev.splicerelay.testing.TestSocket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A peer preface ({@link SpliceRelayHandler#SpliceRelayHandler(ChannelFuture, RelayConfig, ByteBuf)}): the peer reads
 * it before any byte of the inbound channel, then exactly what the inbound channel sent, and the relay still runs in
 * its case's mode (splicing on epoll); the preface is not counted as relayed, and a relay that never starts releases
 * it.
 */
@Timeout(60)
class PeerPrefaceTest {
    /** A PROXY protocol v1 header, the preface this API is for. */
    private static final byte[] PREFACE =
            "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long[] SIZES = {0, 4L << 20};

    static Stream<Arguments> casesPairsAndSizes() {
        return SocketPair.casesAndPairs().flatMap(arguments -> Stream.of(SIZES[0], SIZES[1])
                .map(size -> Arguments.of(arguments.get()[0], arguments.get()[1], size)));
    }

    @ParameterizedTest(name = "{0} {1}: {2} bytes each way")
    @MethodSource("casesPairsAndSizes")
    void thePeerReadsThePrefaceFirstThenEveryInboundByte(RelayCase relayCase, SocketPair pair, long size)
            throws Exception {
        RelayConfig config = relayCase.config().build();
        try (RelayFixture fixture = new RelayFixture(relayCase, pair, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelFuture connect = f.connectPeer(ch);
                ByteBuf preface = ch.alloc().directBuffer().writeBytes(PREFACE);
                f.relay(ch, connect, new SpliceRelayHandler(connect, config, preface));
            }
        });
             TestSocket client = fixture.newClient()) {
            // Sent at once, so that bytes reach the relay while the peer still connects and are held behind the preface.
            Future<Transfer> clientSent = fixture.async(() -> Streams.send(client, size, 1, true));
            try (TestSocket backend = fixture.nextBackend()) {
                InputStream fromRelay = backend.in();
                Future<byte[]> preface = fixture.async(() -> fromRelay.readNBytes(PREFACE.length));
                Future<Transfer> backendReceived = fixture.async(() -> {
                    preface.get();
                    return Streams.receive(fromRelay, 64 * 1024, 0);
                });
                Future<Transfer> backendSent = fixture.async(() -> Streams.send(backend, size, 2, true));
                Transfer clientReceived = Streams.receive(client);

                assertArrayEquals(PREFACE, preface.get(), "what the peer read first");
                assertEquals(clientSent.get(), backendReceived.get(), "client -> backend after the preface");
                assertEquals(backendSent.get(), clientReceived, "backend -> client");
            }
            RelayStats stats = fixture.nextStats();
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            relayCase.assertRanIn(stats);
            assertEquals(size, stats.bytesInboundToPeer(), "the preface is not counted: " + stats);
            assertEquals(size, stats.bytesPeerToInbound(), stats::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void aRelayWhosePeerCannotConnectReleasesThePreface(RelayCase relayCase) throws Exception {
        RelayConfig config = relayCase.config().build();
        CompletableFuture<ByteBuf> prefaces = new CompletableFuture<>();
        try (RefusingPort refusing = new RefusingPort();
             RelayFixture fixture = new RelayFixture(relayCase, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelFuture connect = RelayBootstrap.connect(ch, refusing.address());
                ByteBuf preface = ch.alloc().directBuffer().writeBytes(PREFACE);
                prefaces.complete(preface);
                f.relay(ch, connect, new SpliceRelayHandler(connect, config, preface));
            }
        });
             TestSocket client = fixture.newClient()) {
            // The client only connects: the relay resets it once the peer's connect fails, whatever it was doing.
            RelayStats stats = fixture.nextStats();
            assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
            assertEquals(0, prefaces.get(10, TimeUnit.SECONDS).refCnt(), "the preface was not released");
        }
    }
}
