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

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fails loudly when a Netty upgrade moves an internal the relay reaches (docs: "Netty internals"): each check says
 * what the relay would do without it.
 */
class NettyInternalsTest {
    private static final NettyVersion NETTY = NettyVersion.ofTransport();

    /** The private {@code SpliceOutTask.len} and pipeline estimator handle: without them AUTO copies. */
    @Test
    void spliceToInternalsAreWhereTheRelayExpectsThem() {
        assertNull(NettySplice.unavailableReason(), () -> "Netty " + NETTY + ": " + NettySplice.unavailableReason());
    }

    /** {@code AbstractEpollChannel.registration} and {@code ops}: without them epoll relays are cut at half-close. */
    @Test
    void epollRegistrationInternalsAreWhereTheWorkaroundExpectsThem() {
        assertEquals(NETTY.isLine(4, 2), EpollEmptyInterestWorkaround.applies(), () -> "Netty " + NETTY);
        assertNull(EpollEmptyInterestWorkaround.unavailableReason(),
                () -> "Netty " + NETTY + ": " + EpollEmptyInterestWorkaround.unavailableReason());
    }

    /** The I/O registration API and {@code Native.splice}: without them AUTO uses {@code spliceTo}. */
    @Test
    void ownEngineRunsOnEveryNetty42() {
        assumeTrue(NETTY.isLine(4, 2), () -> "Netty " + NETTY + " has no I/O registration API");
        assertNull(EpollIo.unavailableReason(), () -> "Netty " + NETTY + ": " + EpollIo.unavailableReason());
    }
}
