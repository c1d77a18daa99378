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
package dev.splicerelay;

import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * One direction of a relay between two sockets registered with the event loop: bytes from a source socket to a sink
 * socket, without a Netty channel. {@link PipeFlow} splices, {@link SocketCopyFlow} copies; this class keeps what both
 * track: whether the source has hung up, whether the flow waits for room in the sink, and whether it is done. The
 * relay passes what epoll reports to {@link #ready}. A socket registered level-triggered is asked for what
 * {@link #interest} says; one registered edge-triggered for everything reports each change once, wanted or not, so a
 * flow acts only on the readiness it waits for, and tells its owner where it stops before its source ran dry
 * ({@link FlowOwner#sourceMayHaveMore()}).
 *
 * <p>Threading: the relay's event loop.
 */
abstract class SocketFlow {
    final FlowOwner owner;
    final FileDescriptor source;
    final FileDescriptor sink;
    /** The source reported {@code EPOLLRDHUP} or {@code EPOLLHUP}: every byte it will have is in its socket now. */
    boolean sourceHungUp;
    /** The sink took less than it was given: the flow waits for room before it reads the source again. */
    boolean blocked;
    private boolean done;

    SocketFlow(FlowOwner owner, FileDescriptor source, FileDescriptor sink) {
        this.owner = owner;
        this.source = source;
        this.sink = sink;
    }

    /** The source's end of stream came before the flow started: only the FIN is left to pass on. */
    final void startEnded() {
        end();
    }

    /** The source reported {@code EPOLLRDHUP} or {@code EPOLLHUP}: it will get no more bytes. */
    final void sourceHungUp() {
        sourceHungUp = true;
    }

    /** Whether the flow waits for the source to be readable. */
    final boolean wantsSource() {
        return !done && !blocked;
    }

    /** Whether the flow waits for the sink to be writable. */
    final boolean wantsSink() {
        return !done && blocked;
    }

    /** Whether the source's end of stream has been passed on. */
    final boolean isDone() {
        return done;
    }

    /** The source is at its end of stream and every byte of it reached the sink: passes the FIN on. */
    final void end() {
        done = true;
        owner.finish();
    }

    /** Bytes taken from the source and not yet delivered to the sink. */
    abstract int inFlight();

    /**
     * Moves bytes until the source has none, the sink has no room or the wake-up's budget is spent; at the source's
     * end of stream it passes the FIN on. The caller must check that the relay is still running afterwards.
     *
     * @param sourceReported whether this wake-up is the source's own readiness (not its sink's)
     * @throws IOException a reset, broken pipe or other failure of either socket
     */
    abstract void move(boolean sourceReported) throws IOException;

    /** Gives back what the flow holds; called once, when the relay has stopped. */
    abstract void release();

    /** The epoll interest of a socket that is the source of {@code out} and the sink of {@code in}. */
    static int interest(SocketFlow out, SocketFlow in) {
        return (out.wantsSource() ? EpollIo.IN | EpollIo.RDHUP : 0) | (in.wantsSink() ? EpollIo.OUT : 0);
    }

    /**
     * Passes what epoll reported for {@code socket} ({@code ops}) to the flow it feeds ({@code out}) and the flow
     * into it ({@code in}), where that flow waits for it: room first, so that a full sink drains before its source is
     * read again.
     *
     * @param stopped whether the relay has ended meanwhile (a flow's FIN or failure may end it)
     * @return the socket's pending error (a reset, say) if epoll reported one; nothing was moved then
     * @throws IOException a failure of either socket while moving bytes
     */
    static IOException ready(int ops, FileDescriptor socket, SocketFlow out, SocketFlow in, BooleanSupplier stopped)
            throws IOException {
        if ((ops & EpollIo.ERR) != 0) {
            IOException error = EpollIo.takeError(socket);
            if (error != null) {
                return error;
            }
        }
        if ((ops & (EpollIo.RDHUP | EpollIo.HUP)) != 0) {
            out.sourceHungUp();
        }
        if ((ops & EpollIo.OUT) != 0 && in.wantsSink()) {
            in.move(false);
        }
        if (!stopped.getAsBoolean() && (ops & (EpollIo.IN | EpollIo.RDHUP | EpollIo.HUP)) != 0 && out.wantsSource()) {
            out.move(true);
        }
        return null;
    }
}
