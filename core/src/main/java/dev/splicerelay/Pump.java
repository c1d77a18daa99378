package dev.splicerelay;

/**
 * The engine that moves one {@link Direction}'s bytes once the relay has started: {@link CopyPump} or
 * {@link SplicePump}. Every method runs on the relay's event loop.
 */
interface Pump {
    /** Starts moving bytes; the direction's source has not reached end of stream yet. */
    void start();

    /** The source finished a read cycle. */
    void readComplete();

    /** The source reached end of stream ({@code ChannelInputShutdownEvent}). */
    void inputShutdown();

    /** The sink's writability changed. */
    void sinkWritabilityChanged();
}
