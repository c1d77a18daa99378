package dev.splicerelay;

/**
 * What moves one {@link Direction}'s bytes inside Netty's pipelines, for the engines that work there
 * ({@link CopyEngine} with a {@link CopyPump}, {@link SpliceToEngine} with a {@link SplicePump}); the direction hands
 * it its source's read events. Every method runs on the relay's event loop.
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
