package dev.splicerelay.benchmarks;

import dev.splicerelay.RelayMode;
import dev.splicerelay.SpliceEngine;

/**
 * What the bytes of a benchmark go through between client and server: nothing, or an in-process relay on a given
 * transport, mode and splice engine. Splice needs epoll, so there is no {@code SPLICE_NIO}.
 */
public enum RelayPath {
    /** Client connects straight to the server: the baseline. */
    DIRECT(null, null, SpliceEngine.AUTO),
    /** {@link RelayMode#COPY} on the NIO transport. */
    COPY_NIO(Transport.NIO, RelayMode.COPY, SpliceEngine.AUTO),
    /** {@link RelayMode#COPY} on the epoll transport. */
    COPY_EPOLL(Transport.EPOLL, RelayMode.COPY, SpliceEngine.AUTO),
    /** {@link RelayMode#SPLICE} on the epoll transport with Netty's {@code spliceTo} ({@link SpliceEngine#SPLICE_TO}). */
    SPLICE_EPOLL(Transport.EPOLL, RelayMode.SPLICE, SpliceEngine.SPLICE_TO),
    /** {@link RelayMode#SPLICE} on the epoll transport with splice-relay's own {@link SpliceEngine#IO_HANDLE}. */
    SPLICE_OWN_EPOLL(Transport.EPOLL, RelayMode.SPLICE, SpliceEngine.IO_HANDLE);

    private final Transport transport;
    private final RelayMode mode;
    private final SpliceEngine engine;

    RelayPath(Transport transport, RelayMode mode, SpliceEngine engine) {
        this.transport = transport;
        this.mode = mode;
        this.engine = engine;
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

    public SpliceEngine engine() {
        return engine;
    }
}
