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

import org.junit.jupiter.params.provider.Arguments;

import java.util.stream.Stream;

/**
 * The kinds of socket a relay joins: its inbound (client) side and its peer (backend) side. The guarantees of the
 * core suite hold on each pair; Unix domain sockets exist on the epoll transport only.
 */
enum SocketPair {
    TCP_TO_TCP(false, false),
    TCP_TO_UNIX(false, true),
    UNIX_TO_UNIX(true, true);

    private final boolean unixInbound;
    private final boolean unixPeer;

    SocketPair(boolean unixInbound, boolean unixPeer) {
        this.unixInbound = unixInbound;
        this.unixPeer = unixPeer;
    }

    boolean unixInbound() {
        return unixInbound;
    }

    boolean unixPeer() {
        return unixPeer;
    }

    boolean hasUnix() {
        return unixInbound || unixPeer;
    }

    /**
     * Every {@link RelayCase} on TCP, and every epoll case on one event loop on the pairs with a Unix domain socket:
     * the arguments {@code (RelayCase, SocketPair)} of a test that holds on every pair.
     */
    static Stream<Arguments> casesAndPairs() {
        return Stream.of(RelayCase.values()).flatMap(relayCase -> Stream.of(values())
                .filter(pair -> relayCase.onUnixPairs() || !pair.hasUnix())
                .map(pair -> Arguments.of(relayCase, pair)));
    }
}
