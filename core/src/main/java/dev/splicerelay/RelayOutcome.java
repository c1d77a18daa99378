package dev.splicerelay;

/**
 * How a relay ended.
 */
public enum RelayOutcome {
    /** Both directions reached end of stream, every byte was written and both channels were closed. */
    COMPLETED,
    /** A side reset the connection (or its socket broke); the other side was reset in turn. */
    RESET,
    /**
     * No byte moved in either direction for the configured idle timeout; both sides were closed. A side for which the
     * relay still held bytes (a reader that paused longer than the timeout) was reset instead, so that it cannot take
     * what it got for the whole stream; {@link RelayStats#cause()} then says how many bytes were held.
     */
    IDLE_TIMEOUT,
    /** Anything else: a channel closed early, a write failed, a handler threw; both sides were reset. */
    ERROR
}
