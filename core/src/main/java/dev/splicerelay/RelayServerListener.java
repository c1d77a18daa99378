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

import java.net.InetSocketAddress;

/**
 * What happens to the clients of a {@link SpliceRelayServer}, for those who limit, count or log it. Every method has
 * an empty default. Each admitted client gets exactly one {@link #relayEnded}, whether its relay ran or not; a client
 * that was not admitted gets nothing more. Each target that {@link RelayTargets} handed out for a client gets exactly
 * one {@link #connectFailed} or {@link #relayStarted}, also when the relay is aborted while it connects.
 *
 * <p>Threading: called on the event loop of the client concerned, from every loop of the server at once;
 * implementations must be thread-safe and must neither block nor throw, since they run on the relay path.
 */
public interface RelayServerListener {
    /**
     * A client connected.
     *
     * @param client the client's address
     * @return whether to relay it; {@code false} closes it at once, before anything is read or connected (a connection
     *         limit, say)
     */
    default boolean admit(InetSocketAddress client) {
        return true;
    }

    /**
     * Connecting a client to a target failed; the next target is tried, if any and if time is left.
     *
     * @param client the client's address
     * @param target the target that could not be connected
     * @param cause  why: a {@link java.net.ConnectException} for a refused or timed-out connect
     */
    default void connectFailed(InetSocketAddress client, InetSocketAddress target, Throwable cause) {
    }

    /**
     * A client is connected to a target; the relay runs.
     *
     * @param client the client's address
     * @param target the target that accepted the connection
     */
    default void relayStarted(InetSocketAddress client, InetSocketAddress target) {
    }

    /**
     * A client's relay ended and both its sockets are closed.
     *
     * @param client the client's address
     * @param target the target it was relayed to, or {@code null} if no target took it
     * @param stats  what the relay did; without a target, no bytes, outcome {@link RelayOutcome#ERROR} and the last
     *               connect's failure as the cause (or that there was no target to try)
     */
    default void relayEnded(InetSocketAddress client, InetSocketAddress target, RelayStats stats) {
    }
}
