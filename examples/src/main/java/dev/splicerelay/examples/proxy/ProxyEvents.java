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
package dev.splicerelay.examples.proxy;

import dev.splicerelay.SpliceRelayHandler;

import java.util.List;

/**
 * What happens to the proxy's clients and targets, for those that count or log it: {@link ProxyStatus},
 * {@link ProxyMetrics} and {@link AccessLog}. Every method has an empty default, so each implements only what it
 * needs.
 *
 * <p>What happens to the targets comes as a {@link TargetListener}: the proxy adds its events to its
 * {@link TargetGroup}, once, so that every failed connect (a client's; the stale-event case included) and every
 * health change is heard once, whichever front or health check caused it.
 *
 * <p>Threading: called on the event loop of the client or target concerned, from many loops at once;
 * implementations must be thread-safe and must never block, since they run on the relay path.
 */
interface ProxyEvents extends TargetListener {
    /** A new client was admitted under {@code --max-connections}. */
    default void connectionAccepted() {
    }

    /** A client was closed without a relay, for {@code reason}. */
    default void connectionRefused(Refusal reason) {
    }

    /**
     * A relay was added to a client's pipeline, or ({@code relay} {@code null}) a client of the forward front without
     * channels ({@link ForwardServer}) was connected to its target; {@link #relayEnded} or {@link #relayFailed}
     * follows, with the same {@code relay}.
     */
    default void relayStarted(SpliceRelayHandler relay) {
    }

    /** A relay ended, however it ended; {@code ended} says what it joined and what it did. */
    default void relayEnded(SpliceRelayHandler relay, EndedRelay ended) {
    }

    /** A relay could not start ({@code --mode splice} where splicing is impossible). */
    default void relayFailed(SpliceRelayHandler relay, Throwable cause) {
    }

    /** All of {@code events}, in order. */
    static ProxyEvents all(List<ProxyEvents> events) {
        List<ProxyEvents> copy = List.copyOf(events);
        return copy.size() == 1 ? copy.get(0) : new ProxyEvents() {
            @Override
            public void connectionAccepted() {
                copy.forEach(ProxyEvents::connectionAccepted);
            }

            @Override
            public void connectionRefused(Refusal reason) {
                copy.forEach(events -> events.connectionRefused(reason));
            }

            @Override
            public void connectFailed(Target target, ConnectFailure failure, String reason) {
                copy.forEach(events -> events.connectFailed(target, failure, reason));
            }

            @Override
            public void stateChanged(Target target, boolean up, String reason) {
                copy.forEach(events -> events.stateChanged(target, up, reason));
            }

            @Override
            public void relayStarted(SpliceRelayHandler relay) {
                copy.forEach(events -> events.relayStarted(relay));
            }

            @Override
            public void relayEnded(SpliceRelayHandler relay, EndedRelay ended) {
                copy.forEach(events -> events.relayEnded(relay, ended));
            }

            @Override
            public void relayFailed(SpliceRelayHandler relay, Throwable cause) {
                copy.forEach(events -> events.relayFailed(relay, cause));
            }
        };
    }
}
