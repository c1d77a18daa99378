package dev.splicerelay.benchmarks;

import java.net.InetSocketAddress;

/**
 * An echo server on loopback, reached directly or through a {@link LoopbackRelay}, as {@link RelayPath} says: the
 * fixture of the latency and churn benchmarks. Closing it closes the relay, then the echo server.
 */
final class EchoPath implements AutoCloseable {
    private final EchoServer echo;
    private final LoopbackRelay relay;

    private EchoPath(EchoServer echo, LoopbackRelay relay) {
        this.echo = echo;
        this.relay = relay;
    }

    static EchoPath start(RelayPath path) throws InterruptedException {
        EchoServer echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0));
        try {
            return new EchoPath(echo, path.relayed() ? LoopbackRelay.start(path, echo.address()) : null);
        } catch (InterruptedException | RuntimeException e) {
            echo.close();
            throw e;
        }
    }

    /** Where clients connect: the relay, or the echo server itself for {@link RelayPath#DIRECT}. */
    InetSocketAddress address() {
        return relay == null ? echo.address() : relay.address();
    }

    /** The relay, or {@code null} for {@link RelayPath#DIRECT}. */
    LoopbackRelay relay() {
        return relay;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            echo.close();
        }
    }
}
