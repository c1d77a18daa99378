package dev.splicerelay.examples.proxy;

/**
 * A target as {@link ProxyMetrics#registerTargets} reports its health: for a proxy that balances over several
 * targets and checks their health. Implementations are read from the metrics server's event loop while relay loops
 * update them, so every method must be thread-safe and must not block.
 */
interface MeteredTarget {
    /** The target as the command line writes it, {@code host:port} or {@code unix:PATH}: the metrics' label. */
    String address();

    /** Whether the health checks consider the target up. */
    boolean isUp();

    /** Relays open to the target now. */
    int openRelays();
}
