package dev.splicerelay.benchmarks;

import dev.splicerelay.RelayMode;

/**
 * What the bytes of a benchmark go through between client and server: nothing, or an in-process relay on a given
 * transport and mode. Splice needs epoll, so there is no {@code SPLICE_NIO}.
 */
public enum RelayPath {
    /** Client connects straight to the server: the baseline. */
    DIRECT(null, null),
    /** {@link RelayMode#COPY} on the NIO transport. */
    COPY_NIO(Transport.NIO, RelayMode.COPY),
    /** {@link RelayMode#COPY} on the epoll transport. */
    COPY_EPOLL(Transport.EPOLL, RelayMode.COPY),
    /** {@link RelayMode#SPLICE} on the epoll transport. */
    SPLICE_EPOLL(Transport.EPOLL, RelayMode.SPLICE);

    private final Transport transport;
    private final RelayMode mode;

    RelayPath(Transport transport, RelayMode mode) {
        this.transport = transport;
        this.mode = mode;
    }

    public boolean relayed() {
        return transport != null;
    }

    public Transport transport() {
        return transport;
    }

    public RelayMode mode() {
        return mode;
    }
}
