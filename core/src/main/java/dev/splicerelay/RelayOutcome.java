package dev.splicerelay;

/**
 * How a relay ended.
 */
public enum RelayOutcome {
    /** Both directions reached end of stream, every byte was written and both channels were closed. */
    COMPLETED,
    /** A side reset the connection (or its socket broke); the other side was reset in turn. */
    RESET,
    /** No byte moved in either direction for the configured idle timeout; both sides were closed. */
    IDLE_TIMEOUT,
    /** Anything else: a channel closed early, a write failed, a handler threw; both sides were reset. */
    ERROR
}
