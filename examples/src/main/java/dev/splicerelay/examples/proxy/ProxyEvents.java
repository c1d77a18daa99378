package dev.splicerelay.examples.proxy;

import dev.splicerelay.SpliceRelayHandler;

import java.util.List;

/**
 * What happens to the proxy's clients, for those that count or log it: {@link ProxyStatus}, {@link ProxyMetrics} and
 * {@link AccessLog}. Every method has an empty default, so each implements only what it needs.
 *
 * <p>Threading: called on the event loop of the client concerned, from many loops at once; implementations must be
 * thread-safe and must never block, since they run on the relay path.
 */
interface ProxyEvents {
    /** A new client was admitted under {@code --max-connections}. */
    default void connectionAccepted() {
    }

    /** A client was closed without a relay, for {@code reason}. */
    default void connectionRefused(Refusal reason) {
    }

    /** The proxy could not connect {@code target} for a client. */
    default void connectFailed(ProxyAddress target, ConnectFailure failure) {
    }

    /** A relay was added to a client's pipeline; {@link #relayEnded} or {@link #relayFailed} follows. */
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
            public void connectFailed(ProxyAddress target, ConnectFailure failure) {
                copy.forEach(events -> events.connectFailed(target, failure));
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
