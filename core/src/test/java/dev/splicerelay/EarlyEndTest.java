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
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ipfilter.IpFilterRule;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.RuleBasedIpFilter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A relay whose inbound channel closes before its peer is even registered (an IP filter that rejects the client as it
 * registers, a handler that closes it, a client gone already), or that is aborted before it is added, completes at
 * once with {@link RelayOutcome#ERROR}, and its peer never connects: the backend is left with no open connection.
 */
@Timeout(30)
class EarlyEndTest {
    private static final int MILLIS = 1000;
    private static final IpFilterRule REJECT_ALL = new IpFilterRule() {
        @Override
        public boolean matches(InetSocketAddress remoteAddress) {
            return true;
        }

        @Override
        public IpFilterRuleType ruleType() {
            return IpFilterRuleType.REJECT;
        }
    };

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void aClientAnIpFilterRejectsEndsTheRelayAndNoPeerConnects(RelayCase relayCase) throws Exception {
        assertEndsAtOnceWithoutABackendConnection(relayCase, (fixture, ch) -> {
            ch.pipeline().addLast(new RuleBasedIpFilter(REJECT_ALL));
            fixture.relay(ch, relayCase.config().build());
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void aRelayAddedToAClosedChannelEndsAndNoPeerConnects(RelayCase relayCase) throws Exception {
        assertEndsAtOnceWithoutABackendConnection(relayCase, (fixture, ch) -> {
            ch.close();
            fixture.relay(ch, relayCase.config().build());
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RelayCase.class)
    void aRelayAbortedBeforeItWasAddedEndsAndNoPeerConnects(RelayCase relayCase) throws Exception {
        assertEndsAtOnceWithoutABackendConnection(relayCase, (fixture, ch) -> {
            ChannelFuture connect = fixture.connectPeer(ch);
            SpliceRelayHandler handler = new SpliceRelayHandler(connect, relayCase.config().build());
            handler.abort();
            fixture.relay(ch, connect, handler);
        });
    }

    /** {@code init} sets up each accepted channel; its relay must end early. */
    private static void assertEndsAtOnceWithoutABackendConnection(RelayCase relayCase,
                                                                  BiConsumer<RelayFixture, Channel> init)
            throws Exception {
        try (RelayFixture fixture = new RelayFixture(relayCase, f -> initializer(f, init));
             Socket client = fixture.connect()) {
            RelayFixture.Relayed relay = fixture.nextRelay();
            RelayStats stats = relay.completion().get(MILLIS, TimeUnit.MILLISECONDS);
            assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
            assertInstanceOf(IOException.class, stats.cause().orElse(null), stats::toString);
            try (Socket backend = fixture.acceptBackendWithin(MILLIS)) {
                if (backend != null) {
                    assertEquals(-1, readOrEnd(backend), "the backend's connection stays open");
                }
            }
            assertFalse(relay.peer().isOpen(), "the peer channel is open");
            assertEquals(-1, readOrEnd(client), "the client's connection stays open");
        }
    }

    private static ChannelHandler initializer(RelayFixture fixture, BiConsumer<RelayFixture, Channel> init) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                init.accept(fixture, ch);
            }
        };
    }

    /** The next byte, -1 at end of stream or on a reset; a socket's read timeout fails the test. */
    private static int readOrEnd(Socket socket) throws IOException {
        socket.setSoTimeout(MILLIS);
        try {
            return socket.getInputStream().read();
        } catch (java.net.SocketTimeoutException stillOpen) {
            throw stillOpen;
        } catch (IOException reset) {
            return -1;
        }
    }
}
