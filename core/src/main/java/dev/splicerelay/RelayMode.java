package dev.splicerelay;

/**
 * How a {@link SpliceRelayHandler} moves bytes between its two channels.
 */
public enum RelayMode {
    /**
     * Splice where possible, otherwise copy. {@link RelayStats#modeReason()} says which was chosen and why.
     */
    AUTO,
    /**
     * Kernel {@code splice(2)} through a pipe: the bytes never enter the JVM. Needs both channels to be epoll stream
     * channels on the same event loop with no other handler in either pipeline and {@code SO_LINGER} not above 0
     * (Netty would close them on another thread while they splice); a relay that cannot splice fails
     * its completion future with an {@link IllegalStateException} that says why, and closes both channels. Which
     * engine splices is {@link RelayConfig#spliceEngine()}'s choice.
     */
    SPLICE,
    /**
     * {@link io.netty.buffer.ByteBuf} forwarding through both pipelines, on any transport, with backpressure that
     * follows the receiving channel's writability.
     */
    COPY
}
