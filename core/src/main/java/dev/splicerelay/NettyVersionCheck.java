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

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells the user, once per class loader, when the application runs a Netty newer than any splice-relay was tested
 * with (INFO), so that someone who sees a relay misbehave knows where to look, and when the epoll workaround for
 * Netty 4.2.13+ cannot run there (WARN). Tested versions log nothing.
 */
final class NettyVersionCheck {
    /** The newest Netty release the whole test suite passed on; see the README's Netty compatibility table. */
    static final String NEWEST_TESTED = "4.2.18.Final";

    private static final InternalLogger LOGGER = InternalLoggerFactory.getInstance(NettyVersionCheck.class);
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private NettyVersionCheck() {
    }

    /** Checks once; called as a relay begins. */
    static void atFirstRelay() {
        if (CHECKED.compareAndSet(false, true)) {
            NettyVersion running = NettyVersion.ofTransport();
            String message = message(running);
            if (message != null) {
                LOGGER.info(message);
            }
            String workaround = EpollEmptyInterestWorkaround.unavailableReason();
            if (workaround != null) {
                LOGGER.warn("Netty " + running + ": epoll relays may cut a stream after a half-close (netty/netty#16689)"
                        + " because " + workaround + "; relay on NIO, or use Netty " + NEWEST_TESTED);
            }
        }
    }

    /** What to tell a user of {@code running}, or {@code null} for a tested (or unknown) version. */
    static String message(NettyVersion running) {
        if (running == null || !running.isNewerThan(NEWEST_TESTED)) {
            return null;
        }
        return "splice-relay was tested with Netty 4.1.137 and 4.2.12 to " + NEWEST_TESTED + "; this application runs "
                + "Netty " + running + ". If a relay loses bytes, cuts a stream or spins, try " + NEWEST_TESTED
                + " and see the README's Netty compatibility table.";
    }
}
