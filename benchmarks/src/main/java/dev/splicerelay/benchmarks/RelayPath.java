/*
 * Copyright 2026 The splice-relay developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance with
 * the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on
 * an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for the
 * specific language governing permissions and limitations under the License.
 */
package dev.splicerelay.benchmarks;

import dev.splicerelay.RelayMode;
import dev.splicerelay.SpliceEngine;

/**
 * What the bytes of a benchmark go through between client and server: nothing, or an in-process relay on a given
 * transport, mode and splice engine, with its outbound side of a given {@link Peer} kind. Splice needs epoll, so
 * there is no {@code SPLICE_NIO}. The client always connects over TCP.
 */
public enum RelayPath {
    /** Client connects straight to the server: the baseline. */
    DIRECT(null, null, SpliceEngine.AUTO, Peer.TCP),
    /** {@link RelayMode#COPY} on the NIO transport. */
    COPY_NIO(Transport.NIO, RelayMode.COPY, SpliceEngine.AUTO, Peer.TCP),
    /** {@link RelayMode#COPY} on the epoll transport. */
    COPY_EPOLL(Transport.EPOLL, RelayMode.COPY, SpliceEngine.AUTO, Peer.TCP),
    /** {@link RelayMode#COPY} on the io_uring transport, which has no socket-to-socket splice. */
    COPY_IO_URING(Transport.IO_URING, RelayMode.COPY, SpliceEngine.AUTO, Peer.TCP),
    /** {@link RelayMode#SPLICE} on the epoll transport with Netty's {@code spliceTo} ({@link SpliceEngine#SPLICE_TO}). */
    SPLICE_EPOLL(Transport.EPOLL, RelayMode.SPLICE, SpliceEngine.SPLICE_TO, Peer.TCP),
    /** {@link RelayMode#SPLICE} on the epoll transport with splice-relay's own {@link SpliceEngine#IO_HANDLE}. */
    SPLICE_OWN_EPOLL(Transport.EPOLL, RelayMode.SPLICE, SpliceEngine.IO_HANDLE, Peer.TCP),
    /** As {@link #SPLICE_OWN_EPOLL}, to a server on a Unix domain socket: TCP in, Unix socket out, spliced. */
    SPLICE_OWN_EPOLL_TO_UNIX(Transport.EPOLL, RelayMode.SPLICE, SpliceEngine.IO_HANDLE, Peer.UNIX),
    /** Mixed transports: epoll inbound, a NIO peer on an event loop of its own, so {@link RelayMode#AUTO} copies. */
    AUTO_EPOLL_TO_NIO(Transport.EPOLL, RelayMode.AUTO, SpliceEngine.AUTO, Peer.NIO);

    /** What the relay's outbound side is. */
    public enum Peer {
        /** A TCP channel of the relay's own transport, on its event loop ({@code RelayBootstrap.connect}). */
        TCP,
        /** A Unix domain socket channel of the relay's own transport, on its event loop ({@code RelayBootstrap.connect}). */
        UNIX,
        /** A NIO TCP channel on a separate NIO event loop. */
        NIO
    }

    private final Transport transport;
    private final RelayMode mode;
    private final SpliceEngine engine;
    private final Peer peer;

    RelayPath(Transport transport, RelayMode mode, SpliceEngine engine, Peer peer) {
        this.transport = transport;
        this.mode = mode;
        this.engine = engine;
        this.peer = peer;
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

    public Peer peer() {
        return peer;
    }
}
